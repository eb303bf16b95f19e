using Talko.Core.Media;
using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Registrar;

namespace Talko.Core.Sip.Conferencing;

/// <summary>One SIP leg in a conference: its dialog, its media leg and the SDP version it last sent.</summary>
public sealed class ConferenceCall(string conferenceId, SipDialog dialog, IMediaLeg leg, AudioCodec codec, SipCredential? caller, ulong sessionId)
{
    public AudioCodec Codec { get; } = codec;

    /// <summary>The INVITE transaction whose 2xx awaits its ACK, so the ACK can stop its retransmission.</summary>
    internal Transactions.InviteServerTransaction? PendingInvite { get; set; }

    private readonly TaskCompletionSource endedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int ended;

    public string ConferenceId { get; } = conferenceId;

    public SipDialog Dialog { get; } = dialog;

    public IMediaLeg Leg { get; } = leg;

    /// <summary>Who joined (null for legs the engine rang out to a device found by user id).</summary>
    public SipCredential? Caller { get; } = caller;

    public ulong SessionId { get; } = sessionId;

    public ulong SessionVersion { get; set; } = 1;

    public bool OnHold { get; set; }

    /// <summary>A re-INVITE is being answered; a second one gets 491 (RFC 3261 section 14.2).</summary>
    public int ReinviteInProgress;

    /// <summary>Completes when the leg ends, from either side.</summary>
    public Task Ended => endedSignal.Task;

    /// <summary>The transfer (REFER) in progress on this leg, whose NOTIFYs report the referred INVITE.</summary>
    internal ReferSubscription? Transfer { get; set; }

    /// <summary>True for the first caller only, so the leg is released exactly once.</summary>
    internal bool TryEnd()
    {
        if (Interlocked.Exchange(ref ended, 1) != 0) return false;
        endedSignal.TrySetResult();
        return true;
    }
}
