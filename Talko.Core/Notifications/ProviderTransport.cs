namespace Talko.Core.Notifications;

/// <summary>The one way every push provider sends: a transport failure becomes "retry later", never an exception.</summary>
internal static class ProviderTransport
{
    /// <summary>The response, or (when the request never got one) the outcome to record instead.</summary>
    public static async Task<(HttpResponseMessage? Response, DeliveryOutcome? Failure)> SendAsync(
        HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            return (await http.SendAsync(request, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception exception) when (RetryAfterHeader.IsTransient(exception, cancellationToken))
        {
            return (null, DeliveryOutcome.Retry($"transport: {exception.Message}"));
        }
    }
}
