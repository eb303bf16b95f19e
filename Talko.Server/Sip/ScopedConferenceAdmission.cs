using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Registrar;

namespace Talko.Server.Sip;

/// <summary>
/// The SIP engine's admission questions, each asked in a DI scope of its own, as ASP.NET Core gives each HTTP request
/// one: the gate (the calls feature's) is a scoped service that takes the DbContext like an endpoint does and opens no
/// scope itself. The engine is a singleton, so the scope is opened here, in its hosting.
/// </summary>
internal sealed class ScopedConferenceAdmission<TAdmission>(IServiceScopeFactory scopes) : IConferenceAdmission
    where TAdmission : IConferenceAdmission
{
    public async ValueTask<ConferencePlacement> PlaceAsync(string conferenceId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TAdmission>().PlaceAsync(conferenceId, cancellationToken);
    }

    public async ValueTask<bool> MayJoinAsync(SipCredential caller, string conferenceId, CancellationToken cancellationToken = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<TAdmission>().MayJoinAsync(caller, conferenceId, cancellationToken);
    }
}

public static class ConferenceAdmissionExtensions
{
    /// <summary>Registers <typeparamref name="TAdmission"/> as a scoped service and as the SIP engine's admission, asked in a scope per question.</summary>
    public static IServiceCollection AddScopedConferenceAdmission<TAdmission>(this IServiceCollection services)
        where TAdmission : class, IConferenceAdmission
    {
        services.AddScoped<TAdmission>();
        services.AddSingleton<IConferenceAdmission, ScopedConferenceAdmission<TAdmission>>();
        return services;
    }
}
