using System.Net.Http.Headers;

namespace Talko.Core.Notifications;

/// <summary>Reads Retry-After (RFC 9110 section 10.2.3): either delay-seconds or an HTTP-date.</summary>
public static class RetryAfterHeader
{
    public static TimeSpan? Read(HttpResponseMessage response, DateTimeOffset now)
    {
        var header = response.Headers.RetryAfter;
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>Whether an exception from HttpClient is a transient transport failure rather than our own cancellation.</summary>
    public static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        HttpRequestException => true,
        TaskCanceledException when !cancellationToken.IsCancellationRequested => true, // HttpClient.Timeout
        IOException => true,
        _ => false,
    };

    internal static void AddBearer(HttpRequestMessage request, string token) =>
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
}
