using Microsoft.AspNetCore.SignalR;
using Serilog.Events;

namespace Talko.Server.Features.Realtime;

/// <summary>
/// A <see cref="HubException"/> is a hub method refusing the client's input on purpose: the client gets its
/// message, and the log gets one Information line. SignalR's dispatcher would log it as an error with a
/// stack trace; <see cref="IsDispatcherReportOfRefusal"/> lets the logging setup drop that duplicate. Any
/// other exception still reaches the dispatcher's error log.
/// </summary>
internal sealed class RefusedHubCallFilter(ILogger<RefusedHubCallFilter> logger) : IHubFilter
{
    private const string DispatcherCategory = "Microsoft.AspNetCore.SignalR.Internal.DefaultHubDispatcher";

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocation, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        try
        {
            return await next(invocation);
        }
        catch (HubException refused)
        {
            RealtimeLog.HubCallRefused(logger, invocation.HubMethodName, refused.Message);
            throw;
        }
    }

    public static bool IsDispatcherReportOfRefusal(LogEvent logEvent) =>
        logEvent.Exception is HubException
        && logEvent.Properties.TryGetValue("SourceContext", out var source)
        && source is ScalarValue { Value: DispatcherCategory };
}
