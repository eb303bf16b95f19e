using System.Net;
using System.Text;
using Talko.Core.Calls;
using Talko.Core.Media;
using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;
using Talko.Core.Sip.Sdp;
using Talko.Core.Sip.Transactions;
using Talko.Core.Sip.Transport;

namespace Talko.Core.Sip.Conferencing;

/// <summary>
/// Rings a registered device into a conference: INVITE with an offer to the binding's contact (sent to the
/// address it registered from), ACK on 2xx, CANCEL when it does not answer within the ring timeout.
/// The media leg is allocated before the offer (its port goes in the SDP) with an unspecified remote
/// that the answer then fills in; only the first configured codec is offered because a leg's codec is fixed.
/// </summary>
public sealed class ConferenceDialer(ConferenceCallHandler calls, ISipBindingStore bindings, string domain)
{
    /// <summary>Rings every live binding of <paramref name="userId"/>; returns the calls that were answered.</summary>
    public async Task<IReadOnlyList<ConferenceCall>> RingUserAsync(string conferenceId, string userId, CancellationToken cancellationToken = default)
    {
        var targets = await bindings.GetByUserAsync(userId, cancellationToken);
        var results = await Task.WhenAll(targets.Select(b => RingAsync(conferenceId, b, cancellationToken)));
        return results.OfType<ConferenceCall>().ToList();
    }

    /// <summary>Rings one binding; null when it declined, timed out or could not be reached.</summary>
    public async Task<ConferenceCall?> RingAsync(string conferenceId, SipBinding binding, CancellationToken cancellationToken = default)
    {
        if (!SipUri.TryParse(binding.ContactUri, out var contactUri))
        {
            return null;
        }

        var target = binding.Source is { } source ? new SipTarget(binding.Protocol, source) : SipTarget.FromUri(contactUri);
        if (target is null)
        {
            return null;
        }

        var agent = calls.Agent;
        var local = agent.Transactions.Transport.LocalEndPointFor(target);
        if (local is null)
        {
            return null;
        }

        // The offer lists every configured codec (Opus first); the leg starts with the first and follows the answer.
        var codecs = calls.Options.Codecs;
        var codec = codecs.Contains(AudioCodec.Opus) ? AudioCodec.Opus : codecs[0];
        var callId = SipIdentifiers.NewCallId();
        var leg = await calls.Media.AddLegAsync(new MediaLegOptions(conferenceId, LegId.RingOut(callId), new IPEndPoint(IPAddress.Any, 0), codec,
            SdpOfferAnswer.DefaultTelephoneEventPayloadType, SignallingAddress: target.EndPoint.Address), cancellationToken);
        var sessionId = ConferenceCallHandler.NewSessionId();
        var offer = SdpOfferAnswer.CreateOffer(leg.LocalRtp, codecs, sessionId, 1, opus: null);

        var invite = new SipRequest(SipMethods.Invite, contactUri)
        {
            From = new SipNameAddress(new SipUri("sip", conferenceId, domain)) { Tag = SipIdentifiers.NewTag() },
            To = new SipNameAddress(SipUri.Parse(binding.AddressOfRecord)),
            CallId = callId,
            CSeq = new SipCSeq(1, SipMethods.Invite),
            MaxForwards = 70,
            ContentType = "application/sdp",
            Body = Encoding.UTF8.GetBytes(offer.ToString()),
        };
        invite.Contacts.Add(new SipNameAddress(SipUserAgent.LocalContact(target.Protocol, local, conferenceId)));
        var transaction = agent.SendRequest(invite, target);

        SipResponse response;
        try
        {
            response = await transaction.FinalResponse.WaitAsync(calls.Options.RingTimeout, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // Section 9.1: CANCEL carries the INVITE's top Via, so it matches its server transaction.
            var cancel = new SipRequest(SipMethods.Cancel, invite.Uri)
            {
                From = invite.From, To = invite.To, CallId = invite.CallId,
                CSeq = new SipCSeq(invite.CSeq.Number, SipMethods.Cancel), MaxForwards = 70,
            };
            cancel.Vias.Add(invite.TopVia);
            agent.SendRequest(cancel, target);
            response = await transaction.FinalResponse.WaitAsync(calls.Options.RingTimeout * 2, CancellationToken.None);
        }

        if (!response.IsSuccess)
        {
            await leg.DisposeAsync();
            return null;
        }
        var dialog = SipDialog.CreateUac(invite, response, target);
        var call = new ConferenceCall(conferenceId, dialog, leg, codec, null, sessionId) { Party = new ConferenceParty(binding.UserId, binding.DeviceId) };
        calls.Track(call);
        if (transaction is InviteClientTransaction inviteTransaction)
        {
            inviteTransaction.SuccessRetransmitted += r => _ = agent.SendAckAsync(dialog, invite.CSeq.Number).AsTask();
        }

        await agent.SendAckAsync(dialog, invite.CSeq.Number);

        if (!ConferenceCallHandler.TryReadOffer(response, out var answer) || SdpOfferAnswer.Negotiate(answer, codecs) is not { } negotiation)
        {
            await calls.HangUpAsync(call);
            return null;
        }
        call.Leg.SetAudioFormat(
            negotiation.Codec, negotiation.PayloadType, negotiation.TelephoneEventPayloadType, negotiation.RemoteOpus?.MaxAverageBitrate, negotiation.AudioLevelExtensionId);
        call.Codec = negotiation.Codec;
        call.PayloadType = negotiation.PayloadType;
        call.TelephoneEventPayloadType = negotiation.TelephoneEventPayloadType;
        call.Leg.UpdateRemote(negotiation.RemoteRtp);
        call.Announce(calls.LegObserver);
        return call;
    }
}
