using System.Text.Json;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>
/// One event baresip's ctrl_tcp module reported, e.g. REGISTER_OK, REGISTER_FAIL, CALL_RINGING, CALL_ESTABLISHED,
/// CALL_CLOSED (Param: the reason), TRANSFER (Param: the Refer-To target), TRANSFER_FAILED.
/// </summary>
/// <param name="Sequence">Position in the peer's event log (0-based), to wait only for events after a mark.</param>
/// <param name="Type">The event, e.g. CALL_ESTABLISHED.</param>
/// <param name="Class">baresip's grouping: register, call, application, other.</param>
/// <param name="AccountAor">The account the event belongs to.</param>
/// <param name="Direction">incoming or outgoing, for call events.</param>
/// <param name="PeerUri">The other party of the call.</param>
/// <param name="CallId">baresip's own id of the call (not the SIP Call-ID); null for account and application events.</param>
/// <param name="Param">Event detail: a close reason, a transfer target, a registration error.</param>
/// <param name="Json">The event as baresip sent it.</param>
internal sealed record BaresipEvent(int Sequence, string Type, string? Class, string? AccountAor, string? Direction, string? PeerUri, string? CallId, string? Param, string Json)
{
    public static BaresipEvent Parse(int sequence, JsonElement root) => new(
        sequence,
        Text(root, "type") ?? "",
        Text(root, "class"),
        Text(root, "accountaor"),
        Text(root, "direction"),
        Text(root, "peeruri"),
        Text(root, "id"),
        Text(root, "param"),
        root.GetRawText());

    public override string ToString() => $"#{Sequence} {Type} {PeerUri} {Param}";

    private static string? Text(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

/// <summary>baresip's answer to one command: Ok and the command's text output.</summary>
internal sealed record BaresipResponse(bool Ok, string Data);
