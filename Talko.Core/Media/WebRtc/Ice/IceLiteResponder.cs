using System.Net;
using System.Text;
using Talko.Core.Media.WebRtc.Stun;

namespace Talko.Core.Media.WebRtc.Ice;

/// <summary>
/// The server side of ICE lite (RFC 8445 section 2.5) for one component: it answers the peer's connectivity
/// checks, takes the pair a check with USE-CANDIDATE arrives on as the selected pair, and keeps consent freshness
/// (RFC 7675): consent lapses <see cref="IceLiteOptions.ConsentTimeout"/> after the last valid check on the selected
/// pair (or, before a nomination, on any pair; or after creation when no check came). Lapsed consent is final: the
/// leg leaves the call. Thread-safe: the socket loop calls <see cref="Handle"/>, a TimeProvider timer watches consent.
/// </summary>
public sealed class IceLiteResponder : IDisposable
{
    /// <summary>A success response is at most 20 + 24 (XOR-MAPPED-ADDRESS v6) + 24 + 8 bytes; errors name at most 4 types.</summary>
    public const int MaxResponseLength = 128;

    private readonly IceCredentials local;
    private readonly byte[] expectedUsernamePrefix;
    private readonly byte[]? expectedRemoteUfrag;
    private readonly TimeProvider time;
    private readonly IceLiteOptions options;
    private readonly Dictionary<IPEndPoint, DateTimeOffset> validChecks = [];
    private readonly ITimer consentTimer;
    private readonly Lock gate = new();
    private DateTimeOffset lastConsent;
    private IPEndPoint? selected;
    private bool lapsed;

    /// <param name="local">Our ufrag and password, as the SDP answer carries them.</param>
    /// <param name="remoteUfrag">The peer's ufrag from its offer, checked as USERNAME's second half; null to accept any.</param>
    /// <param name="time">Drives consent expiry (tests pass a fake clock).</param>
    /// <param name="options">Consent timeout and pair limit; the RFC defaults when null.</param>
    public IceLiteResponder(IceCredentials local, string? remoteUfrag, TimeProvider time, IceLiteOptions? options = null)
    {
        this.local = local;
        this.time = time;
        this.options = options ?? new IceLiteOptions();
        expectedUsernamePrefix = Encoding.ASCII.GetBytes(local.Ufrag + ":");
        expectedRemoteUfrag = remoteUfrag is null ? null : Encoding.UTF8.GetBytes(remoteUfrag);
        lastConsent = time.GetUtcNow();
        consentTimer = time.CreateTimer(_ => CheckConsent(), null, this.options.ConsentTimeout, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Raised once, from a timer thread, when consent lapses.</summary>
    public event Action? ConsentLapsed;

    /// <summary>Raised when a check nominates a pair (again, or a different one), from the thread that called <see cref="Handle"/>.</summary>
    public event Action<IPEndPoint>? Nominated;

    public IPEndPoint? SelectedEndpoint
    {
        get
        {
            lock (gate)
            {
                return selected;
            }
        }
    }

    public bool HasLapsed
    {
        get
        {
            lock (gate)
            {
                return lapsed;
            }
        }
    }

    /// <summary>When consent lapses unless a valid check comes first.</summary>
    public DateTimeOffset ConsentExpiresAt
    {
        get
        {
            lock (gate)
            {
                return lastConsent + options.ConsentTimeout;
            }
        }
    }

    /// <summary>
    /// Whether media from <paramref name="source"/> may be taken: it passed a check within the consent timeout and
    /// consent has not lapsed. DTLS and SRTP from anywhere else are from strangers.
    /// </summary>
    public bool IsPermitted(IPEndPoint source)
    {
        lock (gate)
        {
            return !lapsed && validChecks.TryGetValue(source, out var at) && time.GetUtcNow() - at < options.ConsentTimeout;
        }
    }

    /// <summary>
    /// Handles one STUN datagram from <paramref name="source"/>; when the result calls for an answer, writes it to
    /// <paramref name="response"/> (at least <see cref="MaxResponseLength"/> bytes) and sets its length, else 0.
    /// </summary>
    public IceCheckResult Handle(ReadOnlySpan<byte> datagram, IPEndPoint source, Span<byte> response, out int responseLength)
    {
        responseLength = 0;
        if (StunMessage.TryParse(datagram, out var message) != StunParseResult.Ok)
        {
            return IceCheckResult.Malformed;
        }

        if (message.Class != StunClass.Request)
        {
            return IceCheckResult.Ignored;
        }

        if (message.Method != StunConstants.BindingMethod)
        {
            return IceCheckResult.UnsupportedMethod;
        }

        if (HasLapsed)
        {
            return IceCheckResult.ConsentLapsed;
        }

        if (message.UnknownCount > 0)
        {
            Span<ushort> unknown = stackalloc ushort[Math.Min(message.UnknownCount, 4)];
            for (var i = 0; i < unknown.Length; i++)
            {
                unknown[i] = message.UnknownType(i);
            }

            responseLength = WriteError(response, message.TransactionId, 420, "Unknown Attribute", unknown);
            return IceCheckResult.UnknownAttributes;
        }

        if (!message.HasUsername || !message.HasMessageIntegrity)
        {
            responseLength = WriteError(response, message.TransactionId, 400, "Bad Request", default);
            return IceCheckResult.BadRequest;
        }

        if (!UsernameIsOurs(message.Username) || !message.VerifyIntegrity(local.PasswordBytes.Span))
        {
            responseLength = WriteError(response, message.TransactionId, 401, "Unauthenticated", default);
            return IceCheckResult.Unauthorized;
        }

        if (message.IceControlled is not null)
        {
            responseLength = WriteError(response, message.TransactionId, 487, "Role Conflict", default, local.PasswordBytes.Span);
            return IceCheckResult.RoleConflict;
        }

        var nominate = message.UseCandidate && message.IceControlling is not null;
        if (!RecordValidCheck(source, nominate, out var nominatedNow))
        {
            return IceCheckResult.TooManyPairs;
        }

        var writer = new StunMessageWriter(response, StunConstants.BindingMethod, StunClass.SuccessResponse, message.TransactionId);
        writer.AddXorMappedAddress(source);
        writer.AddMessageIntegrity(local.PasswordBytes.Span);
        writer.AddFingerprint();
        responseLength = writer.Length;
        if (nominatedNow)
        {
            Nominated?.Invoke(source);
        }

        return nominate ? IceCheckResult.Nominated : IceCheckResult.Answered;
    }

    /// <summary>RFC 8445 section 7.2.2: a check's USERNAME is "our ufrag:their ufrag".</summary>
    private bool UsernameIsOurs(ReadOnlySpan<byte> username)
    {
        if (!username.StartsWith(expectedUsernamePrefix))
        {
            return false;
        }

        var remote = username[expectedUsernamePrefix.Length..];
        return expectedRemoteUfrag is null ? remote.Length > 0 : remote.SequenceEqual(expectedRemoteUfrag);
    }

    private bool RecordValidCheck(IPEndPoint source, bool nominate, out bool nominatedNow)
    {
        nominatedNow = false;
        lock (gate)
        {
            var now = time.GetUtcNow();
            if (!validChecks.ContainsKey(source) && validChecks.Count >= options.MaxPairs)
            {
                foreach (var stale in validChecks.Where(p => now - p.Value >= options.ConsentTimeout && !p.Key.Equals(selected)).Select(p => p.Key).ToList())
                {
                    validChecks.Remove(stale);
                }

                if (validChecks.Count >= options.MaxPairs)
                {
                    return false;
                }
            }

            validChecks[source] = now;
            if (nominate)
            {
                nominatedNow = !source.Equals(selected);
                selected = source;
            }

            if (selected is null || source.Equals(selected))
            {
                lastConsent = now;
                consentTimer.Change(options.ConsentTimeout, Timeout.InfiniteTimeSpan);
            }

            return true;
        }
    }

    private void CheckConsent()
    {
        lock (gate)
        {
            if (lapsed)
            {
                return;
            }

            var left = lastConsent + options.ConsentTimeout - time.GetUtcNow();
            if (left > TimeSpan.Zero)
            {
                consentTimer.Change(left, Timeout.InfiniteTimeSpan); // a check arrived while the timer fired
                return;
            }

            lapsed = true;
        }

        ConsentLapsed?.Invoke();
    }

    private static int WriteError(Span<byte> response, ReadOnlySpan<byte> transactionId, int code, string reason, ReadOnlySpan<ushort> unknown, ReadOnlySpan<byte> key = default)
    {
        var writer = new StunMessageWriter(response, StunConstants.BindingMethod, StunClass.ErrorResponse, transactionId);
        writer.AddErrorCode(code, reason);
        if (!unknown.IsEmpty)
        {
            writer.AddUnknownAttributes(unknown);
        }

        if (!key.IsEmpty)
        {
            writer.AddMessageIntegrity(key);
        }

        writer.AddFingerprint();
        return writer.Length;
    }

    public void Dispose() => consentTimer.Dispose();
}
