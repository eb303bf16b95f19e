using Microsoft.Extensions.Options;
using Talko.Core.Calls;

namespace Talko.Server.Features.Calls;

/// <summary>Reads the owned calls' quality into their views every <see cref="CallsOptions.QualityInterval"/> (ADR 0901).</summary>
internal sealed class CallQualityService(CallHost host, IOptions<CallsOptions> options, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.QualityInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                host.ReportQuality();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping (or a host that failed to start being disposed): nothing to finish.
        }
    }
}
