namespace Talko.Core.Calls;

/// <summary>This instance as its live calls see it: its id, the SIP address that reaches its engine, and its count of owned calls.</summary>
public interface ICallInstance
{
    string InstanceId { get; }

    /// <summary>host:port of this instance's SIP engine; null while the engine has not bound, or without SIP.</summary>
    string? SipAddress { get; }

    /// <summary>Whether this instance runs a SIP engine.</summary>
    bool SipRunning { get; }

    /// <summary>A call became owned here (the count goes into the instance's load, which placement reads).</summary>
    void CallStarted();

    /// <summary>A call owned here ended, moved away or was lost.</summary>
    void CallEnded();
}
