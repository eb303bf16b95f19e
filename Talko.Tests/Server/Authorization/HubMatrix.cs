using Talko.Core.Awareness;
using Talko.Server.Features.Awareness;
using Talko.Tests.Core.Media.WebRtc.Sdp;

namespace Talko.Tests.Server.Authorization;

/// <summary>
/// One hub method called with arguments from the world: the actors for whom it must succeed (for everyone else it
/// must throw a HubException), and optionally what an accepted call shows in the owner's awareness snapshot of
/// the world's conversation (a refused one must not show it). Rows run one after another on the same connections,
/// so what a row shows names the activity kind and ids it set, never what an earlier row may have left.
/// </summary>
public sealed record HubRow(string Method, IReadOnlySet<Actor> Allowed, Func<AuthorizationWorld, object?[]> Arguments)
{
    public string? Variant { get; init; }

    public Func<AuthorizationWorld, ActivityView, bool>? Shows { get; init; }

    public string Key => Variant is null ? $"hub {Method}" : $"hub {Method} [{Variant}]";

    public override string ToString() => Key;
}

/// <summary>
/// Who may call which method of TalkoHub, checked like <see cref="EndpointMatrix"/>; methods are found by reflection,
/// so a new one without a row fails the suite. Connecting at all needs a valid token (tested separately).
/// To add a method: a row per rule it enforces, with arguments naming the world's conversation or call.
/// </summary>
public static class HubMatrix
{
    /// <summary>The actors that can hold a connection (a token of a user); anonymous and operator cannot connect.</summary>
    public static readonly Actor[] Connected = [Actor.Stranger, Actor.Removed, Actor.Dropped, Actor.Member, Actor.Admin, Actor.Owner];

    private static readonly HashSet<Actor> Everyone = [.. Connected];
    private static readonly HashSet<Actor> Members = [Actor.Member, Actor.Admin, Actor.Owner];
    private static readonly HashSet<Actor> Nobody = [];

    /// <summary>Those in the world's private conversation (owner and admin; the member is only in the group).</summary>
    private static readonly HashSet<Actor> Leads = [Actor.Admin, Actor.Owner];

    public static IReadOnlyList<HubRow> Rows { get; } =
    [
        // About the caller's own connection: no conversation involved, anyone connected.
        new("Heartbeat", Everyone, _ => [5]),
        new("SetStatus", Everyone, _ => ["on site"]),

        new("SetActivity", Members, w => [Activity(ActivityKind.Viewing, w.ConversationId, null)])
        {
            Variant = "viewing the conversation",
            Shows = (w, a) => a.Kind == ActivityKind.Viewing && a.ConversationId == w.ConversationId.ToString(),
        },
        // "In a call" needs a leg in it (docs/security.md); nobody in the world has one, so nobody may claim it. The
        // accepted case, with a leg, is in Server/Trust/MembershipBoundWritesSpecification.
        new("SetActivity", Nobody, w => [Activity(ActivityKind.InCall, w.ConversationId, w.CallId)])
        {
            Variant = "in the conversation's call without a leg in it",
            Shows = (w, a) => a.Kind == ActivityKind.InCall && a.CallId == w.CallId.ToString(),
        },

        // Finding (issue 13): a call that is not the conversation's was accepted and shown to every member.
        new("SetActivity", Nobody, w => [Activity(ActivityKind.InCall, w.ConversationId, w.ForeignCallId)])
        {
            Variant = "in a call of another conversation",
            Shows = (w, a) => a.Kind == ActivityKind.InCall && a.CallId == w.ForeignCallId.ToString(),
        },
        new("SetActivity", Nobody, w => [Activity(ActivityKind.Listening, w.ConversationId, w.ForeignCallId) with { PositionMs = 0 }])
        {
            Variant = "listening to a call of another conversation",
            Shows = (w, a) => a.Kind == ActivityKind.Listening && a.CallId == w.ForeignCallId.ToString(),
        },
        new("SetActivity", Nobody, w => [Activity(ActivityKind.InCall, w.ConversationId, NoCall)])
        {
            Variant = "in a call that does not exist",
            Shows = (_, a) => a.Kind == ActivityKind.InCall && a.CallId == NoCall.ToString(),
        },

        new("SetTyping", Members, w => [w.ConversationId.ToString()])
        {
            Shows = (w, a) => a.Kind == ActivityKind.Typing && a.ConversationId == w.ConversationId.ToString(),
        },
        new("GetAwareness", Members, w => [w.ConversationId.ToString()]),
        new("GetAwareness", Leads, w => [w.PrivateConversationId.ToString()]) { Variant = "a conversation of the group the member is not in" },
        new("SetTyping", Leads, w => [w.PrivateConversationId.ToString()]) { Variant = "a conversation of the group the member is not in" },

        // Calls over WebRTC: joining needs membership of the call's conversation; muting and leaving need this
        // connection's leg in the call (members have one from the JoinCall row before them).
        new("JoinCall", Members, w => [w.CallId.ToString(), WebRtcSdpTests.BrowserOffer()]),
        new("JoinCall", Nobody, w => [w.ForeignCallId.ToString(), WebRtcSdpTests.BrowserOffer()]) { Variant = "a call of a conversation the caller is not in" },
        new("JoinCall", Nobody, w => [NoCall.ToString(), WebRtcSdpTests.BrowserOffer()]) { Variant = "a call that does not exist" },
        new("SetCallMuted", Members, w => [w.CallId.ToString(), true]),
        new("SetCallMuted", Nobody, w => [w.ForeignCallId.ToString(), true]) { Variant = "a call of a conversation the caller is not in" },
        new("LeaveCall", Members, w => [w.CallId.ToString()]),
        new("LeaveCall", Nobody, w => [w.ForeignCallId.ToString()]) { Variant = "a call of a conversation the caller is not in" },
    ];

    private static readonly Guid NoCall = Guid.Parse("0badca11-0000-4000-8000-00000000000f");

    private static ActivityView Activity(ActivityKind kind, Guid conversationId, Guid? callId) =>
        new(kind, conversationId.ToString(), callId?.ToString(), false, false, null);
}
