using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Server.Kernel;
using Talko.Server.Sip;

namespace Talko.Server.Features.Calls;

/// <summary><see cref="ICallInstance"/>: this instance's id, its running SIP engine's address, and the load it reports.</summary>
internal sealed class ServerCallInstance(InstanceLifecycle lifecycle, RunningSipEngine sip, InstanceLoadCounters load) : ICallInstance
{
    public string InstanceId => lifecycle.InstanceId;

    public string? SipAddress => sip.SipAddress;

    public bool SipRunning => sip.Engine is not null;

    public void CallStarted() => load.CallStarted();

    public void CallEnded() => load.CallEnded();
}
