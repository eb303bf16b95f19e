using System.Net;
using Microsoft.Extensions.Logging;
using Talko.Core.Logging;

namespace Talko.Core.Sip.Transport;

/// <summary>Why a TCP connection was refused or closed by a limit.</summary>
internal enum TcpRefusal
{
    PerAddressLimit,
    GlobalLimit,
    MessageDeadline,
}

/// <summary>
/// Counts TCP refusals and writes at most one summary line per interval: a flood of connections must not become a
/// flood of log lines (17,801 Warnings in one test before issue 14). The first refusal after a quiet interval is
/// logged at once; the ones that follow within the interval appear in the next line.
/// </summary>
internal sealed class TcpRefusalLog(SipTransportOptions options, TimeProvider time, ILogger logger)
{
    private readonly Lock gate = new();
    private readonly LogThrottle throttle = new(options.TcpRefusalLogInterval, time);
    private long perAddressTotal, globalTotal, deadlineTotal;
    private long perAddress, global, deadline;

    public long PerAddressTotal => Interlocked.Read(ref perAddressTotal);
    public long GlobalTotal => Interlocked.Read(ref globalTotal);
    public long DeadlineTotal => Interlocked.Read(ref deadlineTotal);

    public void Record(TcpRefusal reason, IPEndPoint remote)
    {
        lock (gate)
        {
            switch (reason)
            {
                case TcpRefusal.PerAddressLimit:
                    perAddress++;
                    Interlocked.Increment(ref perAddressTotal);
                    break;
                case TcpRefusal.GlobalLimit:
                    global++;
                    Interlocked.Increment(ref globalTotal);
                    break;
                default:
                    deadline++;
                    Interlocked.Increment(ref deadlineTotal);
                    break;
            }

            if (!throttle.ShouldWrite(out _))
            {
                return;
            }

            SipTransportLog.TcpRefusals(logger, options.TcpRefusalLogInterval, perAddress, options.MaxTcpConnectionsPerAddress,
                global, options.MaxTcpConnections, deadline, options.TcpMessageTimeout, remote);
            perAddress = global = deadline = 0;
        }
    }
}
