using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip.Transactions;

/// <summary>
/// A client transaction as the transaction user sees it (RFC 3261 section 17.1). <see cref="FinalResponse"/>
/// completes with the final response, or with a synthesised 408 on timeout and 503 on transport failure
/// (section 8.1.3.1).
/// </summary>
public abstract class SipClientTransaction : SipTransaction
{
    private readonly TaskCompletionSource<SipResponse> final = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private protected SipClientTransaction(SipTransactionLayer layer, string key, SipRequest request, SipTarget target) : base(layer, key, request)
    {
        Target = target;
    }

    public SipTarget Target { get; }

    private protected override bool IsReliable => Target.Protocol == SipTransportProtocol.Tcp;

    public Task<SipResponse> FinalResponse => final.Task;

    /// <summary>Raised for each 1xx, outside the lock.</summary>
    public event Action<SipResponse>? ProvisionalReceived;

    internal abstract void Start();

    internal abstract void OnResponse(SipResponse response);

    private protected void RaiseProvisional(SipResponse response) => ProvisionalReceived?.Invoke(response);

    private protected void Complete(SipResponse response) => final.TrySetResult(response);

    private protected void Send() => Layer.SendRequestNoWait(Request, Target, OnTransportError);

    private protected void OnTransportError()
    {
        Complete(SipResponse.For(Request, SipStatusCodes.ServiceUnavailable, reasonPhrase: "Transport Error"));
        Terminate();
    }

    private protected void TimedOut()
    {
        Complete(SipResponse.For(Request, SipStatusCodes.RequestTimeout));
        Terminate();
    }

    private protected override void OnTerminated() => Complete(SipResponse.For(Request, SipStatusCodes.RequestTimeout));

    private protected static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
