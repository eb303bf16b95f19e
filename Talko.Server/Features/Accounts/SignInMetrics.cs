using System.Diagnostics.Metrics;
using Talko.Core.Diagnostics;
using Talko.Server.Features.Accounts.Codes;

namespace Talko.Server.Features.Accounts;

/// <summary>
/// Refused sign-ins (meter Talko.Accounts, static like the engines'): wrong, spent or missing codes, refused refresh
/// tokens, and requests blocked by the per-address limits (ADR 0204). No identifier or address is a label.
/// </summary>
internal static class SignInMetrics
{
    private static readonly Meter Meter = new(TalkoTelemetry.MeterPrefix + "Accounts");

    private static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        "talko.signin.failures", "{attempt}",
        "Sign-in attempts refused, by reason: wrong_code, too_many_attempts, expired_code, invalid_refresh_token, blocked (per-address request or code limits).");

    public static void CodeRefused(CodeCheck check) => Refused(check switch
    {
        CodeCheck.Wrong => "wrong_code",
        CodeCheck.TooManyAttempts => "too_many_attempts",
        _ => "expired_code",
    });

    public static void RefreshRefused() => Refused("invalid_refresh_token");

    public static void Blocked() => Refused("blocked");

    private static void Refused(string reason) => Failures.Add(1, new KeyValuePair<string, object?>("talko.signin.failure", reason));
}
