namespace Talko.Core.Sip.Registrar;

/// <summary>A device's SIP credentials: the digest username, who it belongs to, and its shared secret.</summary>
public sealed record SipCredential(string Username, string UserId, string DeviceId, string Secret);

/// <summary>Looks up SIP credentials by digest username. The accounts feature implements it on the database.</summary>
public interface ISipCredentialStore
{
    ValueTask<SipCredential?> FindAsync(string username, CancellationToken cancellationToken = default);
}

/// <summary>Credentials held in memory, for tests and the embedded default.</summary>
public sealed class InMemorySipCredentialStore : ISipCredentialStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, SipCredential> credentials = new(StringComparer.Ordinal);

    public void Add(SipCredential credential) => credentials[credential.Username] = credential;

    public ValueTask<SipCredential?> FindAsync(string username, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(credentials.TryGetValue(username, out var c) ? c : null);
}
