using Microsoft.Extensions.Options;
using Talko.Core.Instances;

namespace Talko.Server.Drain;

/// <summary>
/// Runs a drain once <see cref="InstanceLifecycle.BeginDrain"/> is called (admin endpoint or SIGTERM):
/// readiness and the registry already say draining; after the load balancer's grace, realtime clients
/// are asked to reconnect spread over the window; live calls run on until they end or, past the call
/// deadline, are moved; the process stops when nothing is left or at the hard deadline. It runs before
/// the host stops, because stopping the host closes every SignalR connection at once.
/// </summary>
public sealed class DrainCoordinator(
    InstanceLifecycle lifecycle,
    IDrainableConnections connections,
    ILiveCallMover calls,
    IHostApplicationLifetime lifetime,
    IOptions<DrainOptions> options,
    TimeProvider time,
    ILogger<DrainCoordinator> logger) : IHostedService
{
    private readonly TaskCompletionSource finished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int started;

    /// <summary>Completes when a drain has finished (whether or not it stopped the process).</summary>
    public Task Finished => finished.Task;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifecycle.DrainStarted += OnDrainStarted;
        if (lifecycle.IsDraining)
        {
            OnDrainStarted();
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        lifecycle.DrainStarted -= OnDrainStarted;
        return Task.CompletedTask;
    }

    private void OnDrainStarted()
    {
        // A drain begun by the host stopping (Ctrl+C, a second SIGTERM) has nothing to wait for.
        if (lifetime.ApplicationStopping.IsCancellationRequested || Interlocked.Exchange(ref started, 1) == 1)
        {
            finished.TrySetResult();
            return;
        }

        _ = Task.Run(RunAsync);
    }

    private async Task RunAsync()
    {
        var drain = options.Value;
        var begun = time.GetTimestamp();
        using var hard = new CancellationTokenSource(drain.HardDeadline, time);
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(hard.Token, lifetime.ApplicationStopping);
        var token = stopping.Token;
        DrainLog.Started(logger, lifecycle.InstanceId, connections.Count, calls.LiveCallIds.Count, drain.ReconnectWindow, drain.LoadBalancerGrace, drain.CallDeadline, drain.HardDeadline);
        try
        {
            await Task.WhenAll(MoveRealtimeClientsAsync(drain, token), EndOrMoveCallsAsync(drain, begun, token));
            while (connections.Count > 0 || calls.LiveCallIds.Count > 0)
            {
                await Task.Delay(drain.PollInterval, time, token);
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // The hard deadline, or the host is stopping anyway: whatever is left ends with the process.
        }
        catch (Exception exception)
        {
            DrainLog.Failed(logger, exception);
        }

        DrainLog.Finished(logger, time.GetElapsedTime(begun), connections.Count, calls.LiveCallIds.Count, hard.IsCancellationRequested);
        finished.TrySetResult();
        if (drain.ExitWhenDrained)
        {
            lifetime.StopApplication();
        }
    }

    private async Task MoveRealtimeClientsAsync(DrainOptions drain, CancellationToken token)
    {
        await Task.Delay(drain.LoadBalancerGrace, time, token);
        var asked = new HashSet<string>(StringComparer.Ordinal);
        var closers = new List<Task<bool>>();
        var request = new RealtimeReconnect("draining", lifecycle.InstanceId, (int)drain.ReconnectCloseAfter.TotalMilliseconds);
        var plan = ReconnectSchedule.Plan(connections.Ids, drain.ReconnectWindow, drain.ReconnectJitter, Random.Shared);
        var windowStart = time.GetTimestamp();
        foreach (var (connectionId, offset) in plan)
        {
            var wait = offset - time.GetElapsedTime(windowStart);
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, token);
            }

            closers.Add(AskAsync(connectionId));
        }

        if (plan.Count > 0)
        {
            DrainLog.ReconnectsAsked(logger, plan.Count, drain.LoadBalancerGrace + plan[0].Offset, drain.LoadBalancerGrace + plan[^1].Offset);
        }

        // Connections that arrived during the drain (the load balancer had not noticed yet) go one by one.
        while (connections.Count > 0)
        {
            foreach (var connectionId in connections.Ids.Where(id => !asked.Contains(id)))
            {
                closers.Add(AskAsync(connectionId));
                await Task.Delay(drain.ReconnectWindow / Math.Max(1, plan.Count), time, token);
            }

            await Task.Delay(drain.PollInterval, time, token);
        }

        await Task.WhenAll(closers);
        var closed = closers.Count(t => t.Result);
        if (closed > 0)
        {
            DrainLog.StragglersClosed(logger, closed);
        }

        async Task<bool> AskAsync(string connectionId)
        {
            asked.Add(connectionId);
            try
            {
                if (!await connections.AskToReconnectAsync(connectionId, request, token))
                {
                    return false;
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                DrainLog.ReconnectFailed(logger, connectionId, exception);
            }

            try
            {
                await Task.Delay(drain.ReconnectCloseAfter, time, token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            return connections.Close(connectionId);
        }
    }

    private async Task EndOrMoveCallsAsync(DrainOptions drain, long begun, CancellationToken token)
    {
        while (calls.LiveCallIds.Count > 0 && time.GetElapsedTime(begun) < drain.CallDeadline)
        {
            await Task.Delay(drain.PollInterval, time, token);
        }

        var left = calls.LiveCallIds.ToList();
        if (left.Count == 0)
        {
            return;
        }

        DrainLog.MovingCalls(logger, left.Count);
        await Task.WhenAll(left.Select(async callId =>
        {
            try
            {
                var result = await calls.MoveAwayAsync(callId, token);
                if (!result.Moved)
                {
                    DrainLog.CallNotMoved(logger, callId, result.Error, null);
                    return;
                }

                foreach (var participant in result.Participants)
                {
                    DrainLog.ParticipantGap(logger, callId, result.NewOwner!, participant.ParticipantId, participant.AudioGap.TotalMilliseconds);
                }
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                DrainLog.CallNotMoved(logger, callId, exception.Message, exception);
            }
        }));
    }
}
