using System.Net;
using Talko.Core.Media;

namespace Talko.Bench.Sip;

/// <summary>
/// Media that does nothing, so the signalling benchmark measures SIP alone: every leg answers with the
/// same fixed local RTP endpoint and no socket or mixer is created.
/// </summary>
internal sealed class NoOpMediaEngine(IPEndPoint localRtp) : IConferenceMediaEngine
{
    public ValueTask<IMediaLeg> AddLegAsync(MediaLegOptions options, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IMediaLeg>(new NoOpMediaLeg(options.LegId, localRtp));

    private sealed class NoOpMediaLeg(Talko.Core.Calls.LegId legId, IPEndPoint localRtp) : IMediaLeg
    {
        public Talko.Core.Calls.LegId LegId { get; } = legId;

        public IPEndPoint LocalRtp { get; } = localRtp;

        public void UpdateRemote(IPEndPoint remoteRtp, IPAddress? signallingAddress = null)
        {
        }

        public void SetOnHold(bool onHold)
        {
        }

        public void SetAudioFormat(Talko.Core.Media.AudioCodec codec, int? payloadType, int? telephoneEventPayloadType, int? opusMaxBitrate, int? audioLevelExtensionId)
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
