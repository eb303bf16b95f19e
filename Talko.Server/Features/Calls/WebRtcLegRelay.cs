using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Ephemeral;
using Talko.Core.Eventing;
using Talko.Core.Instances;
using Talko.Core.Media.Engine;
using Talko.Server.WebRtc;

namespace Talko.Server.Features.Calls;

/// <summary>
/// WebRTC legs whose hub connection is on another instance than the call's owner (ADR 0724). The instance that took the
/// hub call relays it to the owner on the owner's instance channel and waits for the reply with the same correlation id
/// (at most <see cref="Core.Media.WebRtc.WebRtcOptions.RelayTimeout"/>); the owner makes, mutes or ends the leg with
/// its own media engine, so the SDP answer carries the owner's candidates and certificate and media goes straight to
/// it. This side remembers which owner holds each of its connections' legs, to relay a leave or mute there and to tell
/// the owner when the connection closes; the owner ends the legs of an instance it finds dead, so no leg outlives the
/// hub connection that made it.
/// </summary>
public sealed class WebRtcLegRelay(
    IEventBus bus,
    KeySpace keys,
    InstanceLifecycle lifecycle,
    InstanceLiveness liveness,
    CallPlacement placement,
    CallHost host,
    WebRtcCallLegs legs,
    IOptions<MediaEngineOptions> options,
    TimeProvider time,
    ILogger<WebRtcLegRelay> logger) : BackgroundService
{
    /// <summary>How often the owner checks that the instances holding its remote legs' hub connections still run.</summary>
    internal static readonly TimeSpan OriginCheckInterval = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<Guid, TaskCompletionSource<RemoteLegReply>> pending = new();

    /// <summary>Per hub connection of another instance, the last of its requests queued here (see <see cref="InLane"/>).</summary>
    private readonly Dictionary<string, Task> lanes = new(StringComparer.Ordinal);

    /// <summary>This instance's hub connections with a leg on another instance: the owner that holds it.</summary>
    private readonly ConcurrentDictionary<(string ConnectionId, CallId CallId), string> remote = new();

    private string Self => lifecycle.InstanceId;

    /// <summary>
    /// Makes the leg on <paramref name="owner"/> and returns its SDP answer. When this connection's leg in the call was on
    /// another instance (the call moved, and the client rejoins after <c>callMoved</c>) and is still there, it ends once
    /// the new one is made; a drain move ends it before (ADR 0724).
    /// </summary>
    /// <exception cref="Microsoft.AspNetCore.SignalR.HubException">The owner refused, or did not answer in time.</exception>
    public async Task<string> JoinAsync(string owner, CallId callId, Guid userId, Guid? deviceId, string connectionId, string sdpOffer, CancellationToken cancellationToken)
    {
        var key = (connectionId, callId);
        var request = new JoinRemoteLeg(Guid.NewGuid(), Self, callId.Value, connectionId, userId, deviceId, sdpOffer);
        // Remembered first: a connection that closes while the owner is answering still tells the owner.
        var previous = remote.TryGetValue(key, out var was) ? was : null;
        remote[key] = owner;
        var reply = await RequestAsync(owner, request, cancellationToken);
        if (reply is null)
        {
            // The owner may still make the leg after we gave up: tell it to end whatever it makes for this connection.
            Restore(key, owner, previous);
            await SendAsync(owner, new LeaveRemoteLeg(Guid.NewGuid(), Self, callId.Value, connectionId));
            throw WebRtcRefusal.Unavailable.ToHubException();
        }

        if (reply.RefusalCode is not null || reply.SdpAnswer is null)
        {
            // A second join of the same connection is the owner's to refuse, and must not forget the first leg.
            Restore(key, owner, previous ?? (reply.RefusalCode == "call_join_refused" ? owner : null));
            throw new WebRtcRefusal(reply.RefusalCode ?? "call_join_refused", reply.RefusalMessage ?? "The call's owner refused the join.").ToHubException();
        }

        if (previous is not null && previous != owner)
        {
            await SendAsync(previous, new LeaveRemoteLeg(Guid.NewGuid(), Self, callId.Value, connectionId));
        }

        WebRtcLog.Relayed(logger, callId.Value, owner, connectionId);
        return reply.SdpAnswer;
    }

    /// <summary>
    /// The connection's leg in the call is now made here (the call moved to this instance): its leg on the previous
    /// owner, if any, ends.
    /// </summary>
    public async Task MovedHereAsync(CallId callId, string connectionId)
    {
        if (remote.TryRemove((connectionId, callId), out var previous))
        {
            await SendAsync(previous, new LeaveRemoteLeg(Guid.NewGuid(), Self, callId.Value, connectionId));
        }
    }

    /// <summary>Ends the connection's leg on the owner; false when this instance relayed none for it or the owner has none.</summary>
    public async Task<bool> LeaveAsync(CallId callId, string connectionId, CancellationToken cancellationToken)
    {
        if (!remote.TryGetValue((connectionId, callId), out var owner))
        {
            return false;
        }

        var reply = await RequestAsync(owner, new LeaveRemoteLeg(Guid.NewGuid(), Self, callId.Value, connectionId), cancellationToken)
            ?? throw WebRtcRefusal.Unavailable.ToHubException();
        Forget(connectionId, callId);
        return reply.RefusalCode is null;
    }

    /// <summary>Mutes or unmutes the connection's leg on the owner; false when this instance relayed none for it or the owner has none.</summary>
    public async Task<bool> SetMutedAsync(CallId callId, string connectionId, bool muted, CancellationToken cancellationToken)
    {
        if (!remote.TryGetValue((connectionId, callId), out var owner))
        {
            return false;
        }

        var reply = await RequestAsync(owner, new MuteRemoteLeg(Guid.NewGuid(), Self, callId.Value, connectionId, muted), cancellationToken)
            ?? throw WebRtcRefusal.Unavailable.ToHubException();
        if (reply.RefusalCode is not null)
        {
            // The owner no longer has it (consent lapsed, the call ended or moved): nothing to relay to any more.
            Forget(connectionId, callId);
            return false;
        }

        return true;
    }

    /// <summary>A hub connection here closed: its legs here end, and every owner holding one of its legs is told.</summary>
    public async Task ConnectionClosedAsync(string connectionId)
    {
        await legs.ConnectionClosedAsync(connectionId);
        var owners = new HashSet<string>(StringComparer.Ordinal);
        foreach (var key in remote.Keys.Where(k => k.ConnectionId == connectionId).ToList())
        {
            if (remote.TryRemove(key, out var owner))
            {
                owners.Add(owner);
            }
        }

        foreach (var owner in owners)
        {
            await SendAsync(owner, new RemoteConnectionClosed(Self, connectionId));
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var subscription = await bus.SubscribeAsync(keys.InstanceChannel(Self), OnMessageAsync);
        using var timer = new PeriodicTimer(OriginCheckInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            await EndOrphansAsync();
        }
    }

    /// <summary>Legs whose hub connection was on an instance that died (it could not say the connection closed) end.</summary>
    private async Task EndOrphansAsync()
    {
        foreach (var origin in legs.Origins)
        {
            try
            {
                if (await liveness.FindAliveAsync(origin) is null)
                {
                    WebRtcLog.OriginGone(logger, origin, await legs.OriginGoneAsync(origin));
                }
            }
            catch (Exception exception)
            {
                WebRtcLog.RelayFailed(logger, origin, exception);
            }
        }
    }

    private async Task<RemoteLegReply?> RequestAsync(string owner, RemoteLegRequest request, CancellationToken cancellationToken)
    {
        var replied = new TaskCompletionSource<RemoteLegReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        pending[request.RequestId] = replied;
        try
        {
            await SendAsync(owner, request);
            return await replied.Task.WaitAsync(options.Value.WebRtc.RelayTimeout, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            WebRtcLog.RelayTimedOut(logger, request.CallId, owner, request.GetType().Name);
            return null;
        }
        finally
        {
            pending.TryRemove(request.RequestId, out _);
        }
    }

    private Task SendAsync(string instanceId, RemoteLegMessage message) =>
        bus.PublishAsync(keys.InstanceChannel(instanceId), RemoteLegMessages.Write(message));

    private void Forget(string connectionId, CallId callId) => remote.TryRemove((connectionId, callId), out _);

    /// <summary>Puts back what was known before a join that failed (unless something else changed it meanwhile).</summary>
    private void Restore((string ConnectionId, CallId CallId) key, string attempted, string? previous)
    {
        if (previous is null)
        {
            remote.TryRemove(new KeyValuePair<(string, CallId), string>(key, attempted));
        }
        else
        {
            remote.TryUpdate(key, previous, attempted);
        }
    }

    /// <summary>
    /// Replies to this instance's requests, handled at once; requests for legs of calls owned here, each hub connection's
    /// in the order they came (a close after a join finds the leg) but apart from others': a join may wait for this
    /// instance to adopt the call, and must hold up neither replies nor other connections.
    /// </summary>
    private Task OnMessageAsync(string text)
    {
        switch (RemoteLegMessages.TryRead(text))
        {
            case RemoteLegReply reply:
                if (pending.TryRemove(reply.RequestId, out var waiting))
                {
                    waiting.TrySetResult(reply);
                }

                break;
            case RemoteLegRequest request:
                InLane($"{request.ReplyTo}/{request.ConnectionId}", () => HandleAsync(request));
                break;
            case RemoteConnectionClosed closed:
                InLane($"{closed.Origin}/{closed.ConnectionId}", () => legs.ConnectionClosedAsync(closed.ConnectionId, closed.Origin));
                break;
            default:
                WebRtcLog.UnreadableRelayMessage(logger, text.Length > 200 ? text[..200] : text);
                break;
        }

        return Task.CompletedTask;
    }

    /// <summary>Runs <paramref name="work"/> after the work queued before it for the same hub connection.</summary>
    private void InLane(string lane, Func<Task> work)
    {
        lock (lanes)
        {
            var before = lanes.TryGetValue(lane, out var queued) ? queued : Task.CompletedTask;
            Task next = null!;
            next = Task.Run(async () =>
            {
                await before;
                try
                {
                    await work();
                }
                catch (Exception exception)
                {
                    WebRtcLog.RelayFailed(logger, lane, exception);
                }
                finally
                {
                    lock (lanes)
                    {
                        if (lanes.TryGetValue(lane, out var last) && last == next)
                        {
                            lanes.Remove(lane);
                        }
                    }
                }
            });
            lanes[lane] = next;
        }
    }

    private async Task HandleAsync(RemoteLegRequest request)
    {
        var callId = new CallId(request.CallId);
        switch (request)
        {
            case JoinRemoteLeg join:
                await SendAsync(join.ReplyTo, await JoinHereAsync(join));
                break;
            case LeaveRemoteLeg leave:
                var left = await legs.LeaveAsync(callId, leave.ConnectionId, leave.ReplyTo);
                await SendAsync(leave.ReplyTo, left ? RemoteLegReply.Done(leave.RequestId) : Refused(leave.RequestId, WebRtcRefusal.NotInCall));
                break;
            case MuteRemoteLeg mute:
                var muted = legs.SetMuted(callId, mute.ConnectionId, mute.Muted, mute.ReplyTo);
                if (muted)
                {
                    host.HoldChanged(callId);
                }

                await SendAsync(mute.ReplyTo, muted ? RemoteLegReply.Done(mute.RequestId) : Refused(mute.RequestId, WebRtcRefusal.NotInCall));
                break;
        }
    }

    /// <summary>
    /// The owner's side of a relayed join: the requesting instance checked membership and the offer; this one checks that
    /// it (still) runs the call, adopting it if its claim names this instance, and makes the leg as for a local join.
    /// </summary>
    private async Task<RemoteLegReply> JoinHereAsync(JoinRemoteLeg join)
    {
        var location = await placement.LocateAsync(join.CallId, CancellationToken.None);
        if (location.OwnerInstanceId != Self)
        {
            return Refused(join.RequestId, WebRtcRefusal.Unavailable);
        }

        try
        {
            var answer = legs.Join(new CallId(join.CallId), join.UserId, join.DeviceId, join.ConnectionId, join.SdpOffer, origin: join.ReplyTo);
            return new RemoteLegReply(join.RequestId, answer, null, null);
        }
        catch (Exception exception) when (WebRtcRefusal.FromJoinFailure(exception) is { } refusal)
        {
            return Refused(join.RequestId, refusal);
        }
    }

    private static RemoteLegReply Refused(Guid requestId, WebRtcRefusal refusal) => RemoteLegReply.Refused(requestId, refusal.Code, refusal.Message);
}
