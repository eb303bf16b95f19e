using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Talko.Core.Calls;

/// <summary>
/// What every <see cref="LiveCall"/> on this instance works with, shared by all calls: the ports to the outside (the
/// server implements them: bookkeeping in the database, announcements to clients, awareness, ephemeral records, this
/// instance) and the engines' <see cref="IConferenceControl"/>, besides the claim and the command bus.
/// </summary>
public sealed class LiveCallContext(
    ICallBookkeeping bookkeeping,
    ICallAnnouncer announcer,
    ICallAwareness awareness,
    ICallEphemeralRecords records,
    IConferenceControl conferences,
    CallOwnership ownership,
    CallCommandBus commands,
    ICallInstance instance,
    IOptions<LiveCallOptions> options,
    TimeProvider time,
    ILogger<LiveCall> logger)
{
    public ICallBookkeeping Bookkeeping => bookkeeping;

    public ICallAnnouncer Announcer => announcer;

    public ICallAwareness Awareness => awareness;

    public ICallEphemeralRecords Records => records;

    public IConferenceControl Conferences => conferences;

    public CallOwnership Ownership => ownership;

    public CallCommandBus Commands => commands;

    public ICallInstance Instance => instance;

    public string InstanceId => instance.InstanceId;

    /// <summary>This instance's SIP address (null while the engine has not bound, or without SIP).</summary>
    public string? SipAddress => instance.SipAddress;

    public bool SipRunning => instance.SipRunning;

    public LiveCallOptions Options => options.Value;

    public TimeProvider Time => time;

    public ILogger Logger => logger;
}
