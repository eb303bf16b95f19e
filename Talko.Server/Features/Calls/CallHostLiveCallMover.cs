using System.Globalization;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Instances;
using Talko.Core.Sip.Conferencing;
using Talko.Server.Drain;

namespace Talko.Server.Features.Calls;

/// <summary>
/// What the drain uses past its call deadline: hand each call this instance owns to the serving instance
/// carrying the fewest calls; SIP devices are referred there with the drain's transfer timings. Each participant's
/// audio gap is measured where they rejoin (the new owner logs it when their leg joins), so the result here lists no
/// gaps of its own.
/// </summary>
internal sealed class CallHostLiveCallMover(CallHost calls, InstanceRegistry registry, IOptions<DrainOptions> drain, ILogger<CallHostLiveCallMover> logger) : ILiveCallMover
{
    public IReadOnlyCollection<string> LiveCallIds => calls.OwnedCalls.Select(id => id.ToString("D", CultureInfo.InvariantCulture)).ToList();

    public async Task<CallMoveResult> MoveAwayAsync(string callId, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(callId, out var id))
        {
            return new CallMoveResult(callId, null, [], "not a call id");
        }

        var target = (await registry.ListAsync())
            .Where(i => i.Id != calls.InstanceId && i.State == InstanceState.Serving && i.SipAddress.Length > 0)
            .OrderBy(i => i.Load.LiveCalls)
            .FirstOrDefault();
        if (target is null)
        {
            CallsLog.MoveFailed(logger, callId, "no serving instance with SIP");
            return new CallMoveResult(callId, null, [], "no serving instance with SIP to move to");
        }

        var transfer = new ConferenceTransferTimings(drain.Value.CallTransferAnswerTimeout, drain.Value.CallTransferLeaveWait);
        return await calls.MoveAwayAsync(id, target.Id, target.SipAddress, transfer, cancellationToken)
            ? new CallMoveResult(callId, target.Id, [])
            : new CallMoveResult(callId, null, [], "this instance no longer owns the call");
    }
}
