namespace Talko.Core.Calls;

public sealed class CallOwnershipOptions
{
    /// <summary>
    /// How long a claim outlives its owner's last renewal. When an owner dies, its calls can be claimed
    /// elsewhere after at most this long.
    /// </summary>
    public TimeSpan ClaimTimeToLive { get; set; } = TimeSpan.FromSeconds(6);
}
