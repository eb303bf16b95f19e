using System.Net;

namespace Talko.Core.Sip.Registrar;

/// <summary>
/// The brute-force brake (ADR 0163). Failures are counted per (address, username), per username and per address, so a
/// guesser is stopped without refusing the honest users that share its address (a NAT): a correct credential is refused
/// only for its own pair's failures, for an address that itself failed against an attacked username, or, when
/// <see cref="SipDigestOptions.SourceBlockSparesKnownUsers"/> is off, for an address over its (higher) ceiling.
/// </summary>
public sealed class SipAuthFailureLimiter
{
    private readonly SipDigestOptions options;
    private readonly FailureTally<(IPAddress Source, string User)> pairs;
    private readonly FailureTally<string> users;
    private readonly FailureTally<IPAddress> sources;

    public SipAuthFailureLimiter(SipDigestOptions options, TimeProvider time)
    {
        this.options = options;
        pairs = new(options.MaxTrackedEntries, options.FailureWindow, options.KnownUserMemory, time);
        users = new(options.MaxTrackedEntries, options.FailureWindow, TimeSpan.Zero, time);
        sources = new(options.MaxTrackedEntries, options.FailureWindow, TimeSpan.Zero, time);
    }

    /// <summary>Whether an attempt for <paramref name="username"/> from <paramref name="source"/> is refused without a check.</summary>
    public bool IsBlocked(IPAddress source, string username)
    {
        var pair = (Normalize(source), Normalize(username));
        if (pairs.IsBlocked(pair))
        {
            return true;
        }

        if (users.IsBlocked(pair.Item2) && pairs.Failures(pair) > 0)
        {
            return true;
        }

        return sources.IsBlocked(pair.Item1) && !(options.SourceBlockSparesKnownUsers && pairs.SucceededRecently(pair));
    }

    public void RecordFailure(IPAddress source, string username)
    {
        var (address, user) = (Normalize(source), Normalize(username));
        pairs.RecordFailure((address, user), options.MaxFailuresPerSourceAndUser, options.BlockDuration);
        users.RecordFailure(user, options.MaxFailuresPerUser, options.BlockDuration);
        sources.RecordFailure(address, options.MaxFailuresPerSource, options.BlockDuration);
    }

    public void RecordSuccess(IPAddress source, string username) => pairs.RecordSuccess((Normalize(source), Normalize(username)));

    // One phone seen over IPv4 and as an IPv4-mapped IPv6 address is one source.
    private static IPAddress Normalize(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;

    // Digest usernames compare case-sensitively, but a guesser must not get a fresh allowance by changing case.
    private static string Normalize(string username) => username.ToLowerInvariant();
}
