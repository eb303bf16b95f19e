namespace Talko.Tests.Server.Authorization;

/// <summary>
/// Matrix cells that the server gets wrong today and whose fixes are being made on another branch (issue 13). The
/// matrix states the correct rule for them; these cells may fail until then, and must: a cell listed here that
/// passes fails the suite, so the list is emptied when the fixes are merged. Anything else that fails is a new hole.
/// Keys are <see cref="EndpointRow.Key"/> or <see cref="HubRow.Key"/>, each with the actors it applies to.
/// </summary>
public static class PendingFixes
{

    public static IReadOnlyDictionary<string, Actor[]> Cells { get; } = new Dictionary<string, Actor[]>();

    public static bool Covers(string key, Actor actor) => Cells.TryGetValue(key, out var actors) && actors.Contains(actor);
}
