namespace Talko.Core.Calls;

/// <summary>A participant's leg in a call owned here, as its <see cref="LiveCall"/> knows it (changed only on the call's loop).</summary>
public sealed record LiveLeg(LegId LegId, CallId CallId, Guid ConversationId, Guid UserId, Guid? DeviceId)
{
    public string AwarenessConnectionId => $"sip:{LegId}";

    /// <summary>The participant row of the leg, once stored.</summary>
    public Guid? ParticipantId { get; set; }

    public bool Talking { get; set; }

    public bool Muted { get; set; }
}
