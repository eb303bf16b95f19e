using Microsoft.Extensions.Options;
using Talko.Core.Ephemeral;

namespace Talko.Server.Features.Accounts.Codes;

/// <summary>What the throttle decided about one request for a code.</summary>
public enum CodeRequestDecision
{
    /// <summary>Send a new code.</summary>
    Send,

    /// <summary>A code went to this identifier moments ago: answer as usual, send nothing if that code still works.</summary>
    CoolingDown,

    /// <summary>This requester asked too often: refuse with 429 (it learns only about its own requests).</summary>
    RequesterLimited,
}

/// <summary>
/// The abuse limits on one-time codes (OWASP ASVS 4.0 section 2.2, NIST SP 800-63B section 5.2.2), shaped so a
/// third party cannot turn them against the identifier's owner: the counters that refuse are per requester (the
/// source address, or the signed-in user adding an identifier), never per identifier alone. What protects the
/// identifier's inbox is a short cool-down between codes, during which requests are answered exactly as usual but
/// nothing is sent; answers never depend on whether, or when, anyone else asked for the identifier.
/// </summary>
public sealed class CodeRequestThrottle(IEphemeralStore store, KeySpace keys, IOptions<AccountsOptions> options)
{
    public async Task<(CodeRequestDecision Decision, TimeSpan RetryAfter)> DecideAsync(string requester, string lookupKey)
    {
        var settings = options.Value;
        var byRequester = keys.CodeRequestsBy(requester);
        if (await store.IncrementAsync(byRequester, 1, settings.CodeRequestWindow) > settings.CodeRequestsPerRequester)
        {
            return (CodeRequestDecision.RequesterLimited, await RemainingAsync(byRequester));
        }

        var byRequesterForIdentifier = keys.CodeRequestsByFor(requester, lookupKey);
        if (await store.IncrementAsync(byRequesterForIdentifier, 1, settings.CodeRequestWindow) > settings.CodeRequestsPerRequesterAndIdentifier)
        {
            return (CodeRequestDecision.RequesterLimited, await RemainingAsync(byRequesterForIdentifier));
        }

        if (settings.CodeResendCooldown > TimeSpan.Zero
            && !await store.SetIfAbsentAsync(keys.CodeCooldown(lookupKey), "1", settings.CodeResendCooldown))
        {
            return (CodeRequestDecision.CoolingDown, TimeSpan.Zero);
        }

        return (CodeRequestDecision.Send, TimeSpan.Zero);
    }

    private async Task<TimeSpan> RemainingAsync(string counter) =>
        await store.GetTimeToLiveAsync(counter) ?? options.Value.CodeRequestWindow;
}
