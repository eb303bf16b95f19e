namespace Talko.Core.Calls;

/// <summary>The timings a <see cref="LiveCall"/> works to; the server fills them from its calls configuration (Talko:Calls).</summary>
public sealed class LiveCallOptions
{
    /// <summary>An owned call with nobody in it ends by itself after this long.</summary>
    public TimeSpan EmptyCallGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the owner renews its claims (during a hand-over, on the new owner's behalf).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(2);
}
