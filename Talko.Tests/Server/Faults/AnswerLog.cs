using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;

namespace Talko.Tests.Server.Faults;

/// <summary>
/// One request of a fault test: what, to which instance, when, and its status (null: no answer at all, the instance was
/// gone); without an answer, <paramref name="Failure"/> says how the request failed and after how long, so a failure
/// that is not a killed instance can be told apart.
/// </summary>
internal sealed record Answer(string What, string Instance, TimeSpan At, HttpStatusCode? Status, bool RetryAfter, string? Failure = null)
{
    public bool Succeeded => Status is { } status && (int)status is >= 200 and < 300;

    /// <summary>The rule under a fault: a 2xx, or a 503 that says when to retry; never a 500, never a 503 without Retry-After.</summary>
    public bool Acceptable => Succeeded || (Status == HttpStatusCode.ServiceUnavailable && RetryAfter);

    public string Describe => Status is { } status ? $"{(int)status}{(status == HttpStatusCode.ServiceUnavailable ? RetryAfter ? " + Retry-After" : " without Retry-After" : "")}" : $"no answer ({Failure})";
}

/// <summary>Every request the clients of a fault test made, on one clock.</summary>
internal sealed class AnswerLog
{
    private readonly ConcurrentQueue<Answer> answers = new();

    public Stopwatch Clock { get; } = Stopwatch.StartNew();

    public IReadOnlyList<Answer> All => [.. answers];

    /// <summary>Sends, records the answer (or its absence) and returns the response; null when the instance did not answer.</summary>
    public async Task<HttpResponseMessage?> SendAsync(string what, string instance, Func<Task<HttpResponseMessage>> send)
    {
        var at = Clock.Elapsed;
        try
        {
            var response = await send();
            answers.Enqueue(new Answer(what, instance, at, response.StatusCode, response.Headers.RetryAfter is not null));
            return response;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or TimeoutException)
        {
            answers.Enqueue(new Answer(what, instance, at, null, false, DescribeFailure(exception, Clock.Elapsed - at)));
            return null;
        }
    }

    /// <summary>The exception chain down to the socket error, and how long the request lasted.</summary>
    private static string DescribeFailure(Exception exception, TimeSpan lasted)
    {
        var chain = new List<string>();
        for (var current = exception; current is not null; current = current.InnerException)
        {
            chain.Add($"{current.GetType().Name}: {current.Message}");
        }

        return $"after {lasted.TotalMilliseconds:F0} ms, {string.Join(" <- ", chain)}";
    }
}
