using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace Talko.LoadClient;

/// <summary>One device's way into a call: the conference (call id at the owner's SIP address) and its SIP credentials.</summary>
public sealed record CallLeg(Guid CallId, Guid UserId, string Host, int Port, string SipUsername, string SipSecret)
{
    /// <summary>
    /// These legs as CSV, one line per leg: call id;SIP username;secret;owner host;owner port (scripts/bluegreen.sh runs
    /// one sipp per line, passing them as -s, -au, -ap and the remote host; sipp's own injection files cannot carry
    /// per-call digest credentials). The first line is "SEQUENTIAL", as sipp's -inf files start.
    /// </summary>
    public static string ToSippCsv(IEnumerable<CallLeg> legs)
    {
        var csv = new StringBuilder("SEQUENTIAL\n");
        foreach (var leg in legs)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{leg.CallId:D};{leg.SipUsername};{leg.SipSecret};{leg.Host};{leg.Port}\n");
        }

        return csv.ToString();
    }
}

/// <summary>Starts calls through the API the way the app does: a member starts one in their conversation, members join it.</summary>
internal sealed class CallPlacer(InstancePicker picker, LoadOptions options)
{
    public async Task<IReadOnlyList<CallLeg>> PlaceAsync(IReadOnlyList<LoadUser> users, int calls, int legsPerCall, CancellationToken cancellationToken)
    {
        var conversations = users.GroupBy(u => u.ConversationId).Where(g => g.Count() >= legsPerCall).Take(calls).ToList();
        if (conversations.Count < calls)
        {
            throw new InvalidOperationException($"{calls} calls of {legsPerCall} legs need as many conversations with that many members; there are {conversations.Count}.");
        }

        var legs = await Task.WhenAll(conversations.Select(async members =>
        {
            var people = members.Take(legsPerCall).ToList();
            var call = await SendAsync(people[0], HttpMethod.Post, $"v1/conversations/{members.Key}/calls", cancellationToken);
            var callId = call.GetProperty("id").GetGuid();
            var joined = new List<CallLeg>();
            foreach (var person in people)
            {
                var join = await SendAsync(person, HttpMethod.Post, $"v1/calls/{callId}/join", cancellationToken);
                var uri = join.GetProperty("sipUri").GetString()!;
                var at = uri.LastIndexOf('@');
                var colon = uri.LastIndexOf(':');
                joined.Add(new CallLeg(callId, person.UserId, uri[(at + 1)..colon], int.Parse(uri[(colon + 1)..], CultureInfo.InvariantCulture),
                    person.SipUsername ?? throw new InvalidOperationException("no SIP username"), person.SipSecret ?? throw new InvalidOperationException("no SIP secret")));
            }

            return joined;
        }));
        return [.. legs.SelectMany(l => l)];
    }

    private async Task<JsonElement> SendAsync(LoadUser user, HttpMethod method, string path, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = options.RequestTimeout };
        http.DefaultRequestHeaders.Authorization = new("Bearer", user.AccessToken);
        var address = await picker.PickAsync(options.RequestTimeout, cancellationToken);
        using var response = await http.SendAsync(new HttpRequestMessage(method, new Uri(address, path)), cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        return await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken);
    }
}
