using Talko.Core.Sip.Registrar;

namespace Talko.Core.Sip.Conferencing;

/// <summary>Decides whether an authenticated SIP device may join a conference. The calls feature plugs its rules in here.</summary>
public interface IConferenceAdmission
{
    ValueTask<bool> MayJoinAsync(SipCredential caller, string conferenceId, CancellationToken cancellationToken = default);
}

/// <summary>The default: every authenticated device may join any conference.</summary>
public sealed class AllowAllConferenceAdmission : IConferenceAdmission
{
    public ValueTask<bool> MayJoinAsync(SipCredential caller, string conferenceId, CancellationToken cancellationToken = default) => ValueTask.FromResult(true);
}
