using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;

namespace Talko.Core.Sip.Conferencing;

/// <summary>Decides where a conference runs and whether an authenticated SIP device may join it. The calls feature plugs its rules in here.</summary>
public interface IConferenceAdmission
{
    /// <summary>
    /// Asked first, before authentication: is the conference run here, elsewhere (answered with a 302 to
    /// <see cref="ConferencePlacement.Owner"/>, RFC 3261 section 21.3.3), or not available now? The owner
    /// authenticates, so a redirect reveals only where a call runs.
    /// </summary>
    ValueTask<ConferencePlacement> PlaceAsync(string conferenceId, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(ConferencePlacement.Here);

    ValueTask<bool> MayJoinAsync(SipCredential caller, string conferenceId, CancellationToken cancellationToken = default);
}

/// <summary>Where an INVITE for a conference goes: answered here, redirected to its owner, or refused with a status.</summary>
public sealed record ConferencePlacement(SipUri? Owner, int? RefuseWith, TimeSpan? RetryAfter = null)
{
    public static ConferencePlacement Here { get; } = new(null, null);

    public static ConferencePlacement RedirectTo(SipUri owner) => new(owner, null);

    public static ConferencePlacement Refuse(int status, TimeSpan? retryAfter = null) => new(null, status, retryAfter);
}

/// <summary>The default: every conference runs here and every authenticated device may join any conference.</summary>
public sealed class AllowAllConferenceAdmission : IConferenceAdmission
{
    public ValueTask<bool> MayJoinAsync(SipCredential caller, string conferenceId, CancellationToken cancellationToken = default) => ValueTask.FromResult(true);
}
