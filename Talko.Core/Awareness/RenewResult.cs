namespace Talko.Core.Awareness;

/// <summary>
/// The outcome of an instance renewing its connections' leases.
/// </summary>
/// <param name="Lost">Connections the store no longer had (reaped while this instance looked dead); write them again.</param>
/// <param name="Changes">Aggregates that changed while renewing (for example a typing activity that expired).</param>
public sealed record RenewResult(IReadOnlyList<ConnectionKey> Lost, IReadOnlyList<UserAwareness> Changes)
{
    public static RenewResult Empty { get; } = new([], []);
}
