using System.Net;
using System.Net.Sockets;

namespace Talko.Core.Media.Rtp;

/// <summary>
/// Strict source learning for plain RTP (ADR 0164). Media goes to the address negotiated in SDP until another address
/// proves itself with <see cref="RtpSourceOptions.LearningPackets"/> consecutive in-sequence packets of one SSRC, and
/// only once the current source has been silent for <see cref="RtpSourceOptions.QuietPeriod"/>. The signalled address is
/// vouched for by the authenticated signalling and is taken back at once. RTCP is accepted from the RTCP target, or
/// from the RTP source's IP address when it carries the RTP source's SSRC (which only an on-path party can know).
/// With <see cref="RtpSourceOptions.LearnOnlyFromSignallingAddresses"/>, only the SDP address's IP and the signalling's
/// IP may become a source at all (ADR 0167): a stranger elsewhere cannot take a leg that has not spoken yet or fell silent.
/// </summary>
public sealed class StrictRtpSourcePolicy : IMediaSourcePolicy
{
    private readonly RtpSourceOptions options;
    private readonly TimeProvider time;
    private readonly Lock gate = new();

    private SocketAddress signalled;
    private IPAddress? signallingAddress;
    private SocketAddress rtpTarget;
    private SocketAddress rtcpTarget;
    private bool targetHeard;
    private long lastFromTarget;
    private uint targetSsrc;
    private SocketAddress? candidate;
    private uint candidateSsrc;
    private ushort candidateSequence;
    private int candidatePackets;
    private long sourceChanges;

    public StrictRtpSourcePolicy(SocketAddress signalledRtp, RtpSourceOptions options, TimeProvider time, IPAddress? signallingAddress = null)
    {
        this.options = options;
        this.time = time;
        this.signallingAddress = Normal(signallingAddress);
        signalled = signalledRtp;
        rtpTarget = signalledRtp;
        rtcpTarget = NextPort(signalledRtp);
    }

    public SocketAddress RtpTarget => Volatile.Read(ref rtpTarget);

    public SocketAddress RtcpTarget => Volatile.Read(ref rtcpTarget);

    public long SourceChanges => Interlocked.Read(ref sourceChanges);

    public bool AcceptRtp(SocketAddress from, uint ssrc, ushort sequence)
    {
        lock (gate)
        {
            var now = time.GetTimestamp();
            if (from.Equals(rtpTarget))
            {
                Heard(ssrc, now);
                return true;
            }

            if (from.Equals(signalled))
            {
                MoveTo(signalled, ssrc, now);
                return true;
            }

            if (!MayLearnFrom(from))
            {
                return false;
            }

            if (candidate is not null && from.Equals(candidate) && ssrc == candidateSsrc && sequence == unchecked((ushort)(candidateSequence + 1)))
            {
                candidatePackets++;
            }
            else
            {
                candidate = Copy(from);
                candidateSsrc = ssrc;
                candidatePackets = 1;
            }

            candidateSequence = sequence;
            var currentQuiet = !targetHeard || time.GetElapsedTime(lastFromTarget, now) >= options.QuietPeriod;
            if (candidatePackets < options.LearningPackets || !currentQuiet)
            {
                return false;
            }

            MoveTo(candidate, ssrc, now);
            return true;
        }
    }

    public bool AcceptRtcp(SocketAddress from, uint? senderSsrc)
    {
        lock (gate)
        {
            if (from.Equals(rtcpTarget))
            {
                return true;
            }

            if (!targetHeard || senderSsrc != targetSsrc || !SameAddress(from, rtpTarget))
            {
                return false;
            }

            Volatile.Write(ref rtcpTarget, Copy(from));
            return true;
        }
    }

    public void Renegotiate(SocketAddress signalledRtp, IPAddress? signallingAddress = null)
    {
        lock (gate)
        {
            this.signallingAddress = Normal(signallingAddress) ?? this.signallingAddress;
            signalled = signalledRtp;
            Volatile.Write(ref rtpTarget, signalledRtp);
            Volatile.Write(ref rtcpTarget, NextPort(signalledRtp));
            targetHeard = false;
            candidate = null;
        }
    }

    private void Heard(uint ssrc, long now)
    {
        targetHeard = true;
        targetSsrc = ssrc;
        lastFromTarget = now;
        // Any packet of the current source breaks a candidate's run: no one learns while the source still talks.
        candidate = null;
    }

    private void MoveTo(SocketAddress target, uint ssrc, long now)
    {
        var moved = !target.Equals(rtpTarget);
        Volatile.Write(ref rtpTarget, target);
        if (moved)
        {
            Volatile.Write(ref rtcpTarget, NextPort(target));
            Interlocked.Increment(ref sourceChanges);
        }

        Heard(ssrc, now);
    }

    /// <summary>A stranger's packets never start a run: only the IPs the authenticated signalling vouches for may.</summary>
    private bool MayLearnFrom(SocketAddress from)
    {
        if (!options.LearnOnlyFromSignallingAddresses)
        {
            return true;
        }

        var ip = Normal(ToEndPoint(from).Address);
        return ip!.Equals(Normal(ToEndPoint(signalled).Address)) || ip.Equals(signallingAddress);
    }

    private static IPAddress? Normal(IPAddress? address) =>
        address is { IsIPv4MappedToIPv6: true } ? address.MapToIPv4() : address;

    private static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    private static SocketAddress NextPort(SocketAddress rtp)
    {
        var endPoint = ToEndPoint(rtp);
        return new IPEndPoint(endPoint.Address, endPoint.Port == IPEndPoint.MaxPort ? endPoint.Port : endPoint.Port + 1).Serialize();
    }

    private static bool SameAddress(SocketAddress a, SocketAddress b) => ToEndPoint(a).Address.Equals(ToEndPoint(b).Address);

    internal static IPEndPoint ToEndPoint(SocketAddress address)
    {
        var template = new IPEndPoint(address.Family == AddressFamily.InterNetwork ? IPAddress.Any : IPAddress.IPv6Any, 0);
        return (IPEndPoint)template.Create(address);
    }
}
