using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Server.Kernel;
using Talko.Server.Sip;

namespace Talko.Server.Features.Calls;

/// <summary>What every <see cref="LiveCall"/> on this instance works with: its ports to the outside, shared by all calls.</summary>
public sealed class LiveCallContext(
    ICallBookkeeping bookkeeping,
    ICallAnnouncer announcer,
    CallAwarenessProjection awareness,
    CallEphemeralRecords records,
    IConferenceControl conferences,
    CallOwnership ownership,
    CallCommandBus commands,
    InstanceLifecycle lifecycle,
    InstanceLoadCounters load,
    RunningSipEngine sip,
    IOptions<CallsOptions> options,
    TimeProvider time,
    ILogger<LiveCall> logger)
{
    public ICallBookkeeping Bookkeeping => bookkeeping;

    public ICallAnnouncer Announcer => announcer;

    public CallAwarenessProjection Awareness => awareness;

    public CallEphemeralRecords Records => records;

    public IConferenceControl Conferences => conferences;

    public CallOwnership Ownership => ownership;

    public CallCommandBus Commands => commands;

    public string InstanceId => lifecycle.InstanceId;

    public InstanceLoadCounters Load => load;

    /// <summary>This instance's SIP address (null while the engine has not bound, or without SIP).</summary>
    public string? SipAddress => sip.SipAddress;

    public bool SipRunning => sip.Engine is not null;

    public CallsOptions Options => options.Value;

    public TimeProvider Time => time;

    public ILogger Logger => logger;
}
