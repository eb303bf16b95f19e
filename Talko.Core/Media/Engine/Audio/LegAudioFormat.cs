using Talko.Core.Media.Codecs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Mixing;

namespace Talko.Core.Media.Engine.Audio;

/// <summary>
/// What a leg's RTP audio is, both ways: the codec and its negotiated payload type, the RTP clock (8 kHz for G.711,
/// always 48 kHz for Opus, RFC 7587 section 4.1), the timestamp step of one 20 ms packet, and the encoding the mixer
/// produces for it (for Opus the bitrate: Talko's setting, lowered to what the peer asked for with maxaveragebitrate).
/// </summary>
public sealed record LegAudioFormat(AudioCodec Codec, byte PayloadType, int ClockRate, int OpusBitrate)
{
    /// <summary>RTP timestamp units per 20 ms packet.</summary>
    public int SamplesPerPacket => ClockRate / 1000 * OpusFormat.FrameMilliseconds;

    /// <summary>The (codec, bitrate) the mixer encodes for this leg.</summary>
    public SharedMixKey MixKey => new(Codec, Codec == AudioCodec.Opus ? OpusBitrate : 0);

    /// <param name="codec">The negotiated codec.</param>
    /// <param name="payloadType">The negotiated payload type; null for G.711's static one or the type Talko offers for Opus.</param>
    /// <param name="peerMaxBitrate">The peer's maxaveragebitrate for Opus, if it gave one.</param>
    /// <param name="configuredOpusBitrate">Talko:Media:Opus:Bitrate.</param>
    public static LegAudioFormat For(AudioCodec codec, int? payloadType, int configuredOpusBitrate, int? peerMaxBitrate)
    {
        var type = payloadType ?? (int)codec;
        if (type is < 0 or > 127)
        {
            throw new ArgumentException($"RTP payload type {type} is outside 0-127.", nameof(payloadType));
        }

        if (codec == AudioCodec.Opus)
        {
            // RFC 7587 section 6.1: maxaveragebitrate is 6000-510000; anything else is ignored.
            var bitrate = peerMaxBitrate is >= 6000 and <= 510000 ? Math.Min(configuredOpusBitrate, peerMaxBitrate.Value) : configuredOpusBitrate;
            return new LegAudioFormat(codec, (byte)type, OpusFormat.SampleRate, bitrate);
        }

        return new LegAudioFormat(codec, (byte)type, G711.SampleRate, 0);
    }
}
