using Talko.Core.Media.Codecs.Opus;
using Talko.Core.Media.Jitter;
using Talko.Core.Media.Mixing;
using Talko.Core.Media.Recording;
using Talko.Core.Media.Rtp;

namespace Talko.Core.Media.Engine;

/// <summary>Every limit of the conference media engine (bind as configuration section "Media").</summary>
public sealed class MediaEngineOptions
{
    /// <summary>Address RTP/RTCP sockets bind to. Loopback by default; set the host's media address in production.</summary>
    public string BindAddress { get; set; } = "127.0.0.1";

    public RtpPortAllocatorOptions RtpPorts { get; set; } = new();

    /// <summary>The adaptive jitter buffer of G.711 legs (8 kHz, 20 ms frames); Opus legs keep packets encoded in their own.</summary>
    public JitterBufferOptions Jitter { get; set; } = new();

    public ConferenceMixerOptions Mixer { get; set; } = new();

    public RecordingOptions Recording { get; set; } = new();

    /// <summary>Opus: which implementation, and the encoders' complexity and bitrates.</summary>
    public OpusOptions Opus { get; set; } = new();

    /// <summary>WebRTC legs: candidate address, offer size, DTLS and consent timeouts.</summary>
    public Talko.Core.Media.WebRtc.WebRtcOptions WebRtc { get; set; } = new();

    /// <summary>Mean RTCP report interval; each report is sent after 0.5-1.5 times this (RFC 3550 section 6.2).</summary>
    public TimeSpan RtcpInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Which RTP/RTCP sources a leg accepts and when another may take over (ADR 0164).</summary>
    public RtpSourceOptions Sources { get; set; } = new();

    /// <summary>Largest datagram read; larger ones are truncated by the socket and dropped as malformed.</summary>
    public int MaxDatagramSize { get; set; } = 1500;

    /// <summary>
    /// Dedicated threads that receive plain-RTP legs' RTP and RTCP through epoll (Linux; ADR 0920), each datagram handled
    /// on the thread that read it. 0: one async receive per socket, completed through the thread pool (also what other
    /// platforms use).
    /// </summary>
    public int ReceiveThreads { get; set; } = 2;

    /// <summary>Most legs one conference may hold (also bounded by the port range).</summary>
    public int MaxLegsPerConference { get; set; } = 2000;

    internal void Validate()
    {
        if (!System.Net.IPAddress.TryParse(BindAddress, out _))
        {
            throw new ArgumentException($"Media:BindAddress '{BindAddress}' is not an IP address.");
        }

        if (ReceiveThreads is < 0 or > 64)
        {
            throw new ArgumentException("Media:ReceiveThreads is 0 (async receives) to 64.");
        }

        if (RtcpInterval <= TimeSpan.Zero || MaxDatagramSize < 64 || MaxLegsPerConference < 1)
        {
            throw new ArgumentException("Media options need a positive RTCP interval, datagram size >= 64 and at least one leg per conference.");
        }

        Sources.Validate();
        Opus.Validate();
        WebRtc.Validate();
        if (Jitter.SampleRate != 8000 || Jitter.FrameSamples != 160)
        {
            // The adaptive buffer serves G.711 legs (Opus legs have their own); the mixer resamples its frames to 48 kHz.
            throw new ArgumentException("Media:Jitter is the G.711 legs' buffer: SampleRate 8000 and FrameSamples 160 (20 ms).");
        }
    }
}
