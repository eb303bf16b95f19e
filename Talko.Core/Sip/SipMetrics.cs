using System.Diagnostics;
using System.Diagnostics.Metrics;
using Talko.Core.Diagnostics;
using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip;

/// <summary>
/// SIP counters (meter Talko.Sip). Labels stay bounded: a method outside the ones Talko knows is "other", a status
/// code is one of 100-699, and no user, address or call id is ever a label.
/// </summary>
public static class SipMetrics
{
    private static readonly Meter Meter = new(TalkoTelemetry.SipMeter);

    private static readonly Counter<long> Requests = Meter.CreateCounter<long>(
        "talko.sip.requests", "{request}", "SIP requests received and sent, by method and direction.");

    private static readonly Counter<long> Responses = Meter.CreateCounter<long>(
        "talko.sip.responses", "{response}", "SIP responses received and sent (first transmissions), by CSeq method, status code and direction.");

    private static readonly Counter<long> Malformed = Meter.CreateCounter<long>(
        "talko.sip.malformed", "{message}", "Messages that did not parse, by what was done (answered with 400, dropped).");

    private static readonly Counter<long> AuthFailures = Meter.CreateCounter<long>(
        "talko.sip.auth.failures", "{attempt}", "Digest answers refused: failed (wrong password, unknown user, replay) or blocked (ADR 0163).");

    private static readonly Counter<long> Registrations = Meter.CreateCounter<long>(
        "talko.sip.registrations", "{request}", "REGISTER outcomes once authenticated or refused: bound (added or refreshed), removed, refused.");

    private static readonly string[] KnownMethods =
    [
        SipMethods.Invite, SipMethods.Ack, SipMethods.Bye, SipMethods.Cancel, SipMethods.Register, SipMethods.Options,
        SipMethods.Refer, SipMethods.Notify, SipMethods.Info, SipMethods.Update, "SUBSCRIBE", "MESSAGE", "PRACK", "PUBLISH",
    ];

    public static void RequestReceived(string method) => CountRequest(method, "received");

    public static void RequestSent(string method) => CountRequest(method, "sent");

    public static void ResponseReceived(string cseqMethod, int statusCode) => CountResponse(cseqMethod, statusCode, "received");

    public static void ResponseSent(string cseqMethod, int statusCode) => CountResponse(cseqMethod, statusCode, "sent");

    public static void MalformedMessage(bool answered) =>
        Malformed.Add(1, new KeyValuePair<string, object?>("talko.sip.action", answered ? "answered" : "dropped"));

    public static void AuthenticationFailed(bool blocked) =>
        AuthFailures.Add(1, new KeyValuePair<string, object?>("talko.sip.auth.result", blocked ? "blocked" : "failed"));

    /// <param name="outcome">bound, removed or refused.</param>
    public static void Registration(string outcome) =>
        Registrations.Add(1, new KeyValuePair<string, object?>("talko.sip.registration.outcome", outcome));

    /// <summary>A method name Talko knows, or "other", so a peer cannot mint new label values.</summary>
    public static string BoundedMethod(string method)
    {
        foreach (var known in KnownMethods)
        {
            if (string.Equals(known, method, StringComparison.Ordinal))
            {
                return known;
            }
        }

        return "other";
    }

    private static void CountRequest(string method, string direction)
    {
        if (!Requests.Enabled)
        {
            return;
        }

        Requests.Add(1, new KeyValuePair<string, object?>("sip.method", BoundedMethod(method)), new KeyValuePair<string, object?>("talko.sip.direction", direction));
    }

    private static void CountResponse(string method, int statusCode, string direction)
    {
        if (!Responses.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "sip.method", BoundedMethod(method) },
            { "sip.status_code", statusCode is >= 100 and <= 699 ? statusCode : 0 },
            { "talko.sip.direction", direction },
        };
        Responses.Add(1, in tags);
    }
}
