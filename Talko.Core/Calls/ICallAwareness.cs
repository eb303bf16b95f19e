namespace Talko.Core.Calls;

/// <summary>
/// The port through which a <see cref="LiveCall"/> shows its legs in awareness (who is in a call, talking, muted); the
/// server projects them into the awareness store. Called only from the call's loop, so a call's updates arrive in order.
/// </summary>
public interface ICallAwareness
{
    /// <summary>The leg joined: its user is connected, in the call.</summary>
    Task JoinedAsync(LiveLeg leg);

    /// <summary>The leg left: its connection goes, and its user from the call's talkers if it was talking.</summary>
    Task LeftAsync(LiveLeg leg);

    /// <summary>The leg's talking changed; <paramref name="userStillTalking"/>: another leg of the same user still talks.</summary>
    Task TalkingAsync(LiveLeg leg, bool userStillTalking);

    /// <summary>Shows the leg's current activity (muted, talking).</summary>
    Task SetActivityAsync(LiveLeg leg);

    /// <summary>Keeps the legs' connections and the calls' talkers alive for another claim lifetime.</summary>
    Task HeartbeatAsync(IReadOnlyCollection<CallId> calls, IReadOnlyCollection<LiveLeg> legs);

    /// <summary>The call ended: its talkers go.</summary>
    Task ForgetCallAsync(CallId callId);
}
