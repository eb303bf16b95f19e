using System.Collections.Concurrent;
using Talko.Core.Accounts;
using Talko.Server.Features.Accounts.Codes;

namespace Talko.Tests.Infrastructure;

/// <summary>Keeps every one-time code a test host sends, by normalised identifier, instead of delivering it.</summary>
public sealed class CapturingCodeSender : IVerificationCodeSender
{
    private readonly ConcurrentDictionary<string, string> latest = new(StringComparer.Ordinal);
    private int sent;

    /// <summary>How many codes were sent in all.</summary>
    public int Sent => Volatile.Read(ref sent);

    public Task SendAsync(NormalizedIdentifier identifier, string code, CancellationToken cancellationToken)
    {
        latest[identifier.Value] = code;
        Interlocked.Increment(ref sent);
        return Task.CompletedTask;
    }

    /// <summary>The last code sent to the identifier (normalised form: "alice@example.com", "+447911123456").</summary>
    public string LastCodeFor(string normalizedIdentifier) =>
        latest.TryGetValue(normalizedIdentifier, out var code) ? code : throw new InvalidOperationException($"No code was sent to {normalizedIdentifier}.");

    public bool TryGetLastCode(string normalizedIdentifier, out string? code) => latest.TryGetValue(normalizedIdentifier, out code);
}
