using Talko.Core.Media;
using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Registrar;

namespace Talko.Core.Sip.Conferencing;

/// <summary>One SIP leg in a conference: its dialog, its media leg and the SDP version it last sent.</summary>
public sealed class ConferenceCall(string conferenceId, SipDialog dialog, IMediaLeg leg, AudioCodec codec, SipCredential? caller, ulong sessionId)
{
    /// <summary>The negotiated codec; for a ring-out set from the answer to Talko's offer.</summary>
    public AudioCodec Codec { get; internal set; } = codec;

    /// <summary>The codec's negotiated RTP payload type (dynamic for Opus), which Talko's own re-offers keep.</summary>
    public int PayloadType { get; internal set; } = (int)codec;

    /// <summary>The negotiated telephone-event payload type, kept by re-offers too; null when none was agreed.</summary>
    public int? TelephoneEventPayloadType { get; internal set; }

    /// <summary>The INVITE transaction whose 2xx awaits its ACK, so the ACK can stop its retransmission.</summary>
    internal Transactions.InviteServerTransaction? PendingInvite { get; set; }

    private readonly TaskCompletionSource endedSignal = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock announcing = new();
    private int ended;

    public string ConferenceId { get; } = conferenceId;

    public SipDialog Dialog { get; } = dialog;

    public IMediaLeg Leg { get; } = leg;

    /// <summary>Who joined (null for legs the engine rang out to a device found by user id).</summary>
    public SipCredential? Caller { get; } = caller;

    /// <summary>Who is on the leg: the authenticated caller, or the user and device the engine rang.</summary>
    public ConferenceParty? Party { get; init; } = caller is null ? null : new ConferenceParty(caller.UserId, caller.DeviceId);

    public ulong SessionId { get; } = sessionId;

    public ulong SessionVersion { get; set; } = 1;

    /// <summary>For a DTLS-SRTP leg (ADR 0723): the offer it was made from and Talko's answer, which re-INVITEs get again.</summary>
    internal (Media.WebRtc.Sdp.WebRtcSdpOffer Offer, string Answer)? DtlsSrtp { get; init; }

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
        // Under the same lock as Announce: once a leg is ending, its join is not reported, so that observers never
        // hear a leg join after its media left.
        lock (announcing)
        {
            if (Interlocked.Exchange(ref ended, 1) != 0)
            {
                return false;
            }
        }
        endedSignal.TrySetResult();
        return true;
    }

    /// <summary>Reports the leg as joined unless it is already ending (see <see cref="TryEnd"/>).</summary>
    internal void Announce(IConferenceLegObserver? observer)
    {
        if (observer is null || Party is not { } party)
        {
            return;
        }

        lock (announcing)
        {
            if (Volatile.Read(ref ended) != 0)
            {
                return;
            }

            observer.OnLegJoined(new ConferenceLegJoined(ConferenceId, Leg.LegId, party.UserId, party.DeviceId));
        }
    }
}
