namespace Talko.Tests.Server.Authorization;

/// <summary>
/// Matrix cells that the server gets wrong today and whose fixes are being made on another branch (issue 13). The
/// matrix states the correct rule for them; these cells may fail until then, and must: a cell listed here that
/// passes fails the suite, so the list is emptied when the fixes are merged. Anything else that fails is a new hole.
/// Keys are <see cref="EndpointRow.Key"/> or <see cref="HubRow.Key"/>, each with the actors it applies to.
/// </summary>
public static class PendingFixes
{
    private static readonly Actor[] Members = [Actor.Member, Actor.Admin, Actor.Owner];
    private static readonly Actor[] Outsiders = [Actor.Stranger, Actor.Removed, Actor.Dropped];
    private static readonly Actor[] NotTheDevicesOwner = [Actor.Stranger, Actor.Removed, Actor.Dropped, Actor.Admin, Actor.Owner];

    public static IReadOnlyDictionary<string, Actor[]> Cells { get; } = new Dictionary<string, Actor[]>
    {
        // Mutes: a conversation the caller is not in, or that does not exist, was muted (204).
        ["PUT /v1/notifications/mutes/{conversationId}"] = Outsiders,
        ["PUT /v1/notifications/mutes/{conversationId} [a conversation that does not exist]"] = [.. Outsiders, .. Members],

        // Call references: a call of another conversation, or none, was accepted on items, tags, bookmarks and flags (201).
        ["POST /v1/conversations/{conversationId}/items [a call of another conversation]"] = Members,
        ["POST /v1/conversations/{conversationId}/items [a call that does not exist]"] = Members,
        ["POST /v1/conversations/{conversationId}/photos [a call of another conversation]"] = Members,
        ["POST /v1/conversations/{conversationId}/photos [a call that does not exist]"] = Members,
        ["POST /v1/conversations/{conversationId}/voice-clips [a call of another conversation]"] = Members,
        ["POST /v1/conversations/{conversationId}/voice-clips [a call that does not exist]"] = Members,
        ["POST /v1/conversations/{conversationId}/tags [a call of another conversation]"] = Members,
        ["POST /v1/conversations/{conversationId}/tags [a call that does not exist]"] = Members,
        ["POST /v1/conversations/{conversationId}/bookmarks [a call of another conversation]"] = Members,
        ["POST /v1/conversations/{conversationId}/bookmarks [a call that does not exist]"] = Members,
        ["POST /v1/conversations/{conversationId}/flags [a call of another conversation]"] = Members,
        ["POST /v1/conversations/{conversationId}/flags [a call that does not exist]"] = Members,

        // Devices: signing out another user's device answered 404 but revoked it.
        ["DELETE /v1/me/devices/{id}"] = NotTheDevicesOwner,

        // Hub: SetActivity accepted a call the user is not in.
        ["hub SetActivity [in a call of another conversation]"] = Members,
        ["hub SetActivity [in a call that does not exist]"] = Members,
        ["hub SetActivity [listening to a call of another conversation]"] = Members,
    };

    public static bool Covers(string key, Actor actor) => Cells.TryGetValue(key, out var actors) && actors.Contains(actor);
}
