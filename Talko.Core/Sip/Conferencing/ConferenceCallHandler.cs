using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Talko.Core.Calls;
using Talko.Core.Diagnostics;
using Talko.Core.Media;
using Talko.Core.Media.WebRtc.Sdp;
using Talko.Core.Sip.Dialogs;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;
using Talko.Core.Sip.Sdp;
using Talko.Core.Sip.Transactions;

namespace Talko.Core.Sip.Conferencing;

/// <summary>
/// Answers INVITEs to sip:{conference-id}@host: digest authentication (same credentials as REGISTER),
/// admission, SDP offer/answer (488 without a common codec), a media leg from the
/// <see cref="IConferenceMediaEngine"/>, 180 then 200. Inside the dialog: ACK, BYE, re-INVITE (hold via
/// sendonly/inactive or 0.0.0.0, resume, new address), INFO, and the NOTIFYs of a transfer this side started
/// (<see cref="TransferAsync"/>); CANCEL before the 200 frees the leg.
/// </summary>
public sealed class ConferenceCallHandler : ISipRequestHandler, ISipDialogHandler
{
    private readonly ConcurrentDictionary<SipDialogId, ConferenceCall> calls = new();
    private readonly SipUserAgent agent;
    private readonly SipDigestAuthenticator authenticator;
    private readonly IConferenceAdmission admission;
    private readonly IConferenceMediaEngine media;
    private readonly ConferencingOptions options;
    private readonly ILogger logger;
    private readonly TimeProvider time;

    public ConferenceCallHandler(SipUserAgent agent, SipDigestAuthenticator authenticator, IConferenceAdmission admission,
        IConferenceMediaEngine media, ConferencingOptions options, ILogger logger, TimeProvider? time = null)
    {
        if (options.Codecs.Count == 0 || options.Codecs.Any(c => !Enum.IsDefined(c)))
        {
            throw new ArgumentException("Talko:Sip:Conferencing:Codecs needs at least one of Opus, Pcmu and Pcma.");
        }

        this.time = time ?? TimeProvider.System;
        this.agent = agent;
        this.authenticator = authenticator;
        this.admission = admission;
        this.media = media;
        this.options = options;
        this.logger = logger;
    }

    public IReadOnlyCollection<ConferenceCall> Calls => (IReadOnlyCollection<ConferenceCall>)calls.Values;

    internal SipUserAgent Agent => agent;

    internal IConferenceMediaEngine Media => media;

    internal ConferencingOptions Options => options;

    /// <summary>Told about each leg that joins, once it is tracked and its party is known.</summary>
    internal IConferenceLegObserver? LegObserver { get; set; }

    /// <summary>
    /// An INVITE into a conference, as one span (SIP INVITE, with the call id) whose children are the admission's
    /// database and Redis work, the digest check and the media leg; its outcome tag says how it ended.
    /// </summary>
    public async ValueTask HandleAsync(SipServerTransaction transaction, CancellationToken cancellationToken)
    {
        var invite = (InviteServerTransaction)transaction;
        using var activity = TalkoTelemetry.Source.StartActivity("SIP INVITE", ActivityKind.Server);
        if (activity is not null)
        {
            activity.SetTag("sip.method", SipMethods.Invite);
            activity.SetTag("talko.call.id", invite.Request.Uri.User);
            activity.SetTag("network.transport", invite.Request.Source?.Protocol.ToString().ToLowerInvariant());
        }

        var outcome = await AdmitAsync(invite, cancellationToken);
        activity?.SetTag("talko.sip.outcome", outcome);
        if (outcome != "joined")
        {
            activity?.SetStatus(outcome is "redirected" or "challenged" ? ActivityStatusCode.Unset : ActivityStatusCode.Error, outcome);
        }
    }

    /// <summary>Admits, refuses or redirects one INVITE; returns what happened, for the span.</summary>
    private async ValueTask<string> AdmitAsync(InviteServerTransaction invite, CancellationToken cancellationToken)
    {
        var request = invite.Request;
        var conferenceId = request.Uri.User;
        if (string.IsNullOrEmpty(conferenceId))
        {
            await RejectAsync(invite, "", SipStatusCodes.NotFound);
            return "no_conference";
        }
        var placement = await admission.PlaceAsync(conferenceId, cancellationToken);
        if (placement.Owner is { } owner)
        {
            await RedirectAsync(invite, conferenceId, owner);
            return "redirected";
        }
        if (placement.RefuseWith is { } refusal)
        {
            await RejectAsync(invite, conferenceId, refusal, placement.RetryAfter);
            return "refused_by_placement";
        }
        var auth = await authenticator.AuthenticateAsync(request, cancellationToken);
        if (auth.Outcome != SipAuthOutcome.Authenticated)
        {
            await SipAuthChallenges.RejectAsync(agent, invite, authenticator, auth);
            return "challenged";
        }
        if (!await admission.MayJoinAsync(auth.Credential!, conferenceId, cancellationToken))
        {
            await RejectAsync(invite, conferenceId, SipStatusCodes.Forbidden);
            return "forbidden";
        }
        if (calls.Count >= options.MaxCalls)
        {
            await RejectAsync(invite, conferenceId, SipStatusCodes.ServiceUnavailable);
            return "full";
        }
        if (TryReadOffer(request, out var secureOffer) && OffersDtlsSrtp(secureOffer))
        {
            return await AcceptDtlsSrtpAsync(invite, conferenceId, auth.Credential!);
        }

        if (!TryReadOffer(request, out var offer) || SdpOfferAnswer.Negotiate(offer, options.Codecs) is not { } negotiation)
        {
            await RejectAsync(invite, conferenceId, SipStatusCodes.NotAcceptableHere);
            return "codec_mismatch";
        }

        var localTag = SipIdentifiers.NewTag();
        IMediaLeg leg;
        try
        {
            leg = await media.AddLegAsync(new MediaLegOptions(conferenceId, LegId.Inbound($"{request.CallId}/{localTag}"), negotiation.RemoteRtp,
                negotiation.Codec, negotiation.TelephoneEventPayloadType, SignallingAddress: request.Source?.Remote.Address,
                PayloadType: negotiation.PayloadType, OpusMaxBitrate: negotiation.RemoteOpus?.MaxAverageBitrate,
                AudioLevelExtensionId: negotiation.AudioLevelExtensionId), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConferenceLog.MediaFailed(logger, ex, conferenceId);
            await RejectAsync(invite, conferenceId, SipStatusCodes.ServiceUnavailable);
            return "media_failed";
        }

        var source = request.Source!;
        var dialog = SipDialog.CreateUas(request, localTag, SipUserAgent.LocalContact(source.Protocol, source.Local, conferenceId));
        dialog.Handler = this;
        var call = new ConferenceCall(conferenceId, dialog, leg, negotiation.Codec, auth.Credential, NewSessionId())
        {
            PendingInvite = invite,
            PayloadType = negotiation.PayloadType,
            TelephoneEventPayloadType = negotiation.TelephoneEventPayloadType,
        };
        calls[dialog.Id] = call;
        agent.AddDialog(dialog);
        if (negotiation.IsHold)
        {
            SetHold(call, true);
        }

        invite.Cancelled += t => { _ = EndAsync(call, "cancelled", sendBye: false); };
        invite.AckNotReceived += t => { _ = EndAsync(call, "no ACK", sendBye: true); };
        if (invite.IsCancelled)
        {
            await EndAsync(call, "cancelled", sendBye: false);
            return "cancelled";
        }
        ConferenceLog.Joined(logger, leg.LegId, conferenceId, negotiation.Codec);
        call.Announce(LegObserver);

        if (options.SendRinging)
        {
            await invite.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.Ringing, localTag));
        }

        var answer = SdpOfferAnswer.CreateAnswer(offer, negotiation, leg.LocalRtp, call.SessionId, call.SessionVersion);
        await invite.SendResponseAsync(SuccessWithSdp(request, dialog, answer));
        return "joined";
    }

    /// <summary>An audio m-line over DTLS-SRTP (UDP/TLS/RTP/SAVP or SAVPF): the peer wants the WebRTC transport.</summary>
    private static bool OffersDtlsSrtp(SdpSession offer) =>
        offer.Media.Any(m => m.Media == "audio" && m.Port != 0 && m.Protocol.StartsWith("UDP/TLS/RTP/SAVP", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// RFC 5763 over SIP (ADR 0723): the offer is checked as a browser's would be (one audio line, ICE credentials, a
    /// SHA-256 fingerprint, rtcp-mux, G.711) except that BUNDLE is not required; the leg is the hub's WebRTC leg and
    /// the answer Talko's ICE-lite answer. A bad offer is a 488 that says why.
    /// </summary>
    private async Task<string> AcceptDtlsSrtpAsync(InviteServerTransaction invite, string conferenceId, SipCredential credential)
    {
        var request = invite.Request;
        WebRtcSdpOffer offer;
        try
        {
            offer = WebRtcSdpOffer.Parse(Encoding.UTF8.GetString(request.Body), request.Body.Length, requireBundle: false);
        }
        catch (WebRtcSdpException ex)
        {
            ConferenceLog.DtlsSrtpOfferRefused(logger, conferenceId, ex.Code, ex.Message);
            await RejectAsync(invite, conferenceId, SipStatusCodes.NotAcceptableHere);
            return "dtls_srtp_offer_refused";
        }

        var localTag = SipIdentifiers.NewTag();
        IMediaLeg leg;
        string answerText;
        try
        {
            (leg, answerText) = await media.AddDtlsSrtpLegAsync(conferenceId, LegId.Inbound($"{request.CallId}/{localTag}"), offer);
        }
        catch (NotSupportedException)
        {
            await RejectAsync(invite, conferenceId, SipStatusCodes.NotAcceptableHere);
            return "dtls_srtp_unsupported";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            ConferenceLog.MediaFailed(logger, ex, conferenceId);
            await RejectAsync(invite, conferenceId, SipStatusCodes.ServiceUnavailable);
            return "media_failed";
        }

        if (!SdpSession.TryParse(answerText, out var answer))
        {
            await leg.DisposeAsync();
            throw new InvalidOperationException("Talko's own WebRTC answer did not parse as SDP.");
        }

        var source = request.Source!;
        var dialog = SipDialog.CreateUas(request, localTag, SipUserAgent.LocalContact(source.Protocol, source.Local, conferenceId));
        dialog.Handler = this;
        var call = new ConferenceCall(conferenceId, dialog, leg, offer.Codec, credential, NewSessionId())
        {
            PendingInvite = invite,
            PayloadType = (int)offer.Codec,
            DtlsSrtp = (offer, answerText),
            SessionVersion = answer.SessionVersion,
        };
        calls[dialog.Id] = call;
        agent.AddDialog(dialog);
        invite.Cancelled += t => { _ = EndAsync(call, "cancelled", sendBye: false); };
        invite.AckNotReceived += t => { _ = EndAsync(call, "no ACK", sendBye: true); };
        if (invite.IsCancelled)
        {
            await EndAsync(call, "cancelled", sendBye: false);
            return "cancelled";
        }

        ConferenceLog.Joined(logger, leg.LegId, conferenceId, offer.Codec);
        call.Announce(LegObserver);
        if (options.SendRinging)
        {
            await invite.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.Ringing, localTag));
        }

        await invite.SendResponseAsync(SuccessWithSdp(request, dialog, answer));
        return "joined_dtls_srtp";
    }

    /// <summary>
    /// A re-INVITE in a DTLS-SRTP dialog (baresip sends one once ICE has picked its pair, with updated default
    /// candidates): the same ICE credentials and fingerprint keep the ICE session and the DTLS association (RFC 5763
    /// section 6.7.1), so Talko answers as before with a new version, mirroring a hold. Anything else (an ICE restart,
    /// a new certificate, a bad offer) is null: 488, and the leg goes on as it was.
    /// </summary>
    private SdpSession? DtlsSrtpReanswer(ConferenceCall call, WebRtcSdpOffer original, string answerText, SipRequest request)
    {
        WebRtcSdpOffer offer;
        try
        {
            offer = WebRtcSdpOffer.Parse(Encoding.UTF8.GetString(request.Body), request.Body.Length, requireBundle: false);
        }
        catch (WebRtcSdpException ex)
        {
            ConferenceLog.DtlsSrtpOfferRefused(logger, call.ConferenceId, ex.Code, ex.Message);
            return null;
        }

        if (offer.IceUfrag != original.IceUfrag || offer.IcePassword != original.IcePassword || !offer.Fingerprint.Equals(original.Fingerprint) || offer.Codec != original.Codec)
        {
            ConferenceLog.DtlsSrtpOfferRefused(logger, call.ConferenceId, "dtls_srtp_restart", "A re-INVITE may not restart ICE, change the certificate or the codec.");
            return null;
        }

        var hold = offer.Direction is SdpDirection.SendOnly or SdpDirection.Inactive;
        SetHold(call, hold);
        var direction = offer.Direction switch
        {
            SdpDirection.SendOnly => SdpDirection.ReceiveOnly,
            SdpDirection.ReceiveOnly => SdpDirection.SendOnly,
            var same => same,
        };
        var lines = answerText.Split("\r\n").Select(line => line is "a=sendrecv" or "a=sendonly" or "a=recvonly" or "a=inactive" ? $"a={SdpMedia.DirectionAttribute(direction)}" : line);
        if (!SdpSession.TryParse(string.Join("\r\n", lines), out var answer))
        {
            return null;
        }

        answer.SessionVersion = ++call.SessionVersion;
        return answer;
    }

    public async ValueTask OnRequestAsync(SipDialog dialog, SipServerTransaction transaction, CancellationToken cancellationToken)
    {
        var request = transaction.Request;
        if (!calls.TryGetValue(dialog.Id, out var call))
        {
            await transaction.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.CallDoesNotExist, dialog.Id.LocalTag));
            return;
        }
        switch (request.Method)
        {
            case SipMethods.Bye:
                await transaction.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.Ok, dialog.Id.LocalTag));
                await EndAsync(call, "BYE", sendBye: false);
                break;
            case SipMethods.Invite:
                await ReinviteAsync(call, (InviteServerTransaction)transaction);
                break;
            case SipMethods.Info:
                await transaction.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.Ok, dialog.Id.LocalTag));
                break;
            case SipMethods.Notify:
                await OnNotifyAsync(call, transaction);
                break;
            default:
                var response = agent.CreateResponse(request, SipStatusCodes.MethodNotAllowed, dialog.Id.LocalTag);
                response.Headers.Add(SipHeaderNames.Allow, agent.AllowHeader);
                await transaction.SendResponseAsync(response);
                break;
        }
    }

    /// <summary>
    /// Blind transfer (RFC 3515): REFER in the leg's dialog with Refer-To <paramref name="target"/> and Referred-By this
    /// side (RFC 3892). After a 202 the device is expected to INVITE the target and BYE this leg; a leg still up after
    /// <see cref="ConferenceTransferTimings.LeaveWait"/> is hung up. A refusal, no answer, or a NOTIFY reporting that
    /// the referred INVITE failed leaves the leg up so the caller can fall back (re-invite from elsewhere, or hang up).
    /// </summary>
    public async Task<ConferenceTransferResult> TransferAsync(ConferenceCall call, SipUri target, ConferenceTransferTimings timings, CancellationToken cancellationToken = default)
    {
        if (call.Ended.IsCompleted)
        {
            return new ConferenceTransferResult(ConferenceTransferOutcome.Gone, 0, null);
        }

        var subscription = new ReferSubscription();
        call.Transfer = subscription;
        var refer = call.Dialog.CreateRequest(SipMethods.Refer);
        refer.Headers.Add(SipHeaderNames.ReferTo, new SipNameAddress(target).ToString());
        refer.Headers.Add(SipHeaderNames.ReferredBy, new SipNameAddress(call.Dialog.LocalParty.Uri).ToString());
        ConferenceLog.Referring(logger, call.Leg.LegId, call.ConferenceId, target.ToString());
        var transaction = agent.SendRequest(refer, call.Dialog.Target);

        // A device that does not know REFER may just hang up: its BYE ends the wait as well as an answer does.
        using (var answering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            await Task.WhenAny(transaction.FinalResponse, call.Ended, Task.Delay(timings.ResponseTimeout, time, answering.Token));
            await answering.CancelAsync();
        }

        cancellationToken.ThrowIfCancellationRequested();
        var status = transaction.FinalResponse.IsCompletedSuccessfully ? transaction.FinalResponse.Result.StatusCode
            : call.Ended.IsCompleted ? 0 : SipStatusCodes.RequestTimeout;

        ConferenceTransferResult result;
        if (call.Ended.IsCompleted)
        {
            result = new ConferenceTransferResult(ConferenceTransferOutcome.Left, status, subscription.LastStatus);
        }
        else if (status is < 200 or >= 300)
        {
            result = new ConferenceTransferResult(ConferenceTransferOutcome.Refused, status, subscription.LastStatus);
        }
        else
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var waited = Task.Delay(timings.LeaveWait, time, waiting.Token);
            var first = await Task.WhenAny(call.Ended, subscription.Failed, waited);
            await waiting.CancelAsync();
            if (call.Ended.IsCompleted)
            {
                result = new ConferenceTransferResult(ConferenceTransferOutcome.Left, status, subscription.LastStatus);
            }
            else if (first == subscription.Failed)
            {
                result = new ConferenceTransferResult(ConferenceTransferOutcome.Refused, status, subscription.LastStatus);
            }
            else
            {
                await HangUpAsync(call);
                result = new ConferenceTransferResult(ConferenceTransferOutcome.Stayed, status, subscription.LastStatus);
            }
        }

        ConferenceLog.Referred(logger, call.Leg.LegId, call.ConferenceId, result.Outcome, result.ReferStatus, result.ReportedStatus);
        return result;
    }

    /// <summary>
    /// A NOTIFY in a leg's dialog: accepted only for the refer event package of a transfer this side started
    /// (RFC 3515 section 2.4.4; others get 489 Bad Event, RFC 6665 section 8.2.1, or 481 with no subscription).
    /// </summary>
    private async ValueTask OnNotifyAsync(ConferenceCall call, SipServerTransaction transaction)
    {
        var request = transaction.Request;
        var eventPackage = request.Headers.Get(SipHeaderNames.Event)?.Split(';')[0].Trim();
        var status = !string.Equals(eventPackage, "refer", StringComparison.OrdinalIgnoreCase) ? SipStatusCodes.BadEvent
            : call.Transfer is null ? SipStatusCodes.CallDoesNotExist
            : SipStatusCodes.Ok;
        await transaction.SendResponseAsync(agent.CreateResponse(request, status, call.Dialog.Id.LocalTag));
        if (status != SipStatusCodes.Ok)
        {
            return;
        }

        var isSipfrag = request.ContentType?.Split(';')[0].Trim().Equals("message/sipfrag", StringComparison.OrdinalIgnoreCase) ?? false;
        var reported = isSipfrag ? ReferSubscription.ParseSipfragStatus(request.Body) : null;
        var terminated = request.Headers.Get(SipHeaderNames.SubscriptionState)?.TrimStart().StartsWith("terminated", StringComparison.OrdinalIgnoreCase) ?? false;
        ConferenceLog.TransferProgress(logger, call.Leg.LegId, reported, terminated);
        call.Transfer!.Report(reported, terminated);
    }

    public ValueTask OnAckAsync(SipDialog dialog, SipRequest ack, CancellationToken cancellationToken)
    {
        if (calls.TryGetValue(dialog.Id, out var call) && call.PendingInvite is { } pending && pending.Request.CSeq.Number == ack.CSeq.Number)
        {
            pending.OnSuccessAcknowledged();
            call.PendingInvite = null;
        }
        return ValueTask.CompletedTask;
    }

    /// <summary>A target refresh and new offer (RFC 3261 section 14): hold, resume or a new address; the codec stays.</summary>
    private async ValueTask ReinviteAsync(ConferenceCall call, InviteServerTransaction invite)
    {
        var request = invite.Request;
        if (Interlocked.CompareExchange(ref call.ReinviteInProgress, 1, 0) != 0 || call.PendingInvite is not null)
        {
            await invite.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.RequestPending, call.Dialog.Id.LocalTag));
            return;
        }
        try
        {
            if (request.Contacts.Count > 0)
            {
                call.Dialog.RemoteTarget = request.Contacts[0].Uri;
            }

            SdpSession reply;
            if (request.Body.Length == 0)
            {
                // No offer: ours goes in the 2xx and the answer comes in the ACK (section 13.2.1).
                reply = SdpOfferAnswer.CreateOffer(call.Leg.LocalRtp, call.Codec, call.SessionId, ++call.SessionVersion, call.TelephoneEventPayloadType, call.PayloadType);
            }
            else if (call.DtlsSrtp is { } secure)
            {
                if (DtlsSrtpReanswer(call, secure.Offer, secure.Answer, request) is not { } reanswer)
                {
                    await invite.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.NotAcceptableHere, call.Dialog.Id.LocalTag));
                    return;
                }

                reply = reanswer;
            }
            else if (!TryReadOffer(request, out var offer) || SdpOfferAnswer.Negotiate(offer, [call.Codec]) is not { } negotiation)
            {
                await invite.SendResponseAsync(agent.CreateResponse(request, SipStatusCodes.NotAcceptableHere, call.Dialog.Id.LocalTag));
                return;
            }
            else
            {
                if (!negotiation.RemoteRtp.Address.Equals(IPAddress.Any))
                {
                    call.Leg.UpdateRemote(negotiation.RemoteRtp, request.Source?.Remote.Address);
                }

                SetHold(call, negotiation.IsHold);
                reply = SdpOfferAnswer.CreateAnswer(offer, negotiation, call.Leg.LocalRtp, call.SessionId, ++call.SessionVersion);
            }
            call.PendingInvite = invite;
            await invite.SendResponseAsync(SuccessWithSdp(request, call.Dialog, reply));
        }
        finally
        {
            Volatile.Write(ref call.ReinviteInProgress, 0);
        }
    }

    private static void SetHold(ConferenceCall call, bool onHold)
    {
        if (call.OnHold == onHold)
        {
            return;
        }

        call.OnHold = onHold;
        call.Leg.SetOnHold(onHold);
    }

    internal void Track(ConferenceCall call)
    {
        call.Dialog.Handler = this;
        calls[call.Dialog.Id] = call;
        agent.AddDialog(call.Dialog);
    }

    /// <summary>Ends a call from this side: BYE to the peer and the media leg released.</summary>
    public Task HangUpAsync(ConferenceCall call) => EndAsync(call, "hung up", sendBye: true);

    internal async Task EndAsync(ConferenceCall call, string reason, bool sendBye)
    {
        if (!call.TryEnd())
        {
            return;
        }

        calls.TryRemove(call.Dialog.Id, out _);
        agent.RemoveDialog(call.Dialog);
        if (sendBye)
        {
            agent.SendRequest(call.Dialog.CreateRequest(SipMethods.Bye), call.Dialog.Target);
        }

        ConferenceLog.Left(logger, call.Leg.LegId, call.ConferenceId, reason);
        try
        {
            await call.Leg.DisposeAsync();
        }
        catch (Exception ex)
        {
            ConferenceLog.MediaFailed(logger, ex, call.ConferenceId);
        }
    }

    private SipResponse SuccessWithSdp(SipRequest request, SipDialog dialog, SdpSession sdp)
    {
        var response = agent.CreateResponse(request, SipStatusCodes.Ok, dialog.Id.LocalTag);
        response.Contacts.Add(new SipNameAddress(dialog.LocalContact!));
        response.Headers.Add(SipHeaderNames.Allow, agent.AllowHeader);
        response.ContentType = "application/sdp";
        response.Body = Encoding.UTF8.GetBytes(sdp.ToString());
        return response;
    }

    private async ValueTask RejectAsync(InviteServerTransaction invite, string conferenceId, int status, TimeSpan? retryAfter = null)
    {
        ConferenceLog.Rejected(logger, conferenceId, status);
        var response = agent.CreateResponse(invite.Request, status);
        if (retryAfter is { } wait)
        {
            // Section 20.33: seconds, at least one.
            response.Headers.Add(SipHeaderNames.RetryAfter, Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        await invite.SendResponseAsync(response);
    }

    /// <summary>302 with the owner's conference URI as Contact (RFC 3261 section 8.1.3.4: the caller retries there).</summary>
    private async ValueTask RedirectAsync(InviteServerTransaction invite, string conferenceId, SipUri owner)
    {
        ConferenceLog.Redirected(logger, conferenceId, owner.ToString());
        var response = agent.CreateResponse(invite.Request, SipStatusCodes.MovedTemporarily, SipIdentifiers.NewTag());
        response.Contacts.Add(new SipNameAddress(owner));
        await invite.SendResponseAsync(response);
    }

    internal static bool TryReadOffer(SipMessage message, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SdpSession? offer)
    {
        offer = null;
        return message.Body.Length > 0 && SdpSession.TryParse(Encoding.UTF8.GetString(message.Body), out offer);
    }

    internal static ulong NewSessionId() => BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8)) >> 2;
}
