using System.Net;
using System.Text;
using Talko.Core.Media;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Registrar;
using Talko.Tests.Core.Sip.Transactions;
using Talko.Tests.Infrastructure.Sip;
using static Talko.Tests.Infrastructure.Sip.SipText;

namespace Talko.Tests.Core.Sip.Conferencing;

/// <summary>The conference UAS over a fake channel: INVITE/180/200/ACK, re-INVITE, BYE, CANCEL, failures, ringing out.</summary>
public sealed class ConferenceCallTests
{
    private static readonly TimeSpan Timeout10s = TimeSpan.FromSeconds(10);
    private const string ConferenceUri = "sip:conf-42@127.0.0.1";
    private int branch;

    private static string Sdp(string address = "192.0.2.10", int port = 30000, string formats = "0 8 101", string direction = "sendrecv") =>
        $"v=0\r\no=peer 1 {port} IN IP4 {address}\r\ns=-\r\nc=IN IP4 {address}\r\nt=0 0\r\nm=audio {port} RTP/AVP {formats}\r\n" +
        "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\n" +
        $"a={direction}\r\n";

    private string Request(string method, int cseq, string body = "", string? toTag = null, string? authorization = null, string callId = "call-1", string? branchId = null, string uri = ConferenceUri)
    {
        var lines = new List<string>
        {
            $"{method} {uri} SIP/2.0",
            $"Via: SIP/2.0/UDP 192.0.2.10:5070;branch={branchId ?? "z9hG4bKc" + Interlocked.Increment(ref branch)};rport",
            "Max-Forwards: 70",
            "From: \"Alice\" <sip:alice@127.0.0.1>;tag=alice1",
            "To: <sip:conf-42@127.0.0.1>" + (toTag is null ? "" : ";tag=" + toTag),
            $"Call-ID: {callId}",
            $"CSeq: {cseq} {method}",
            "Contact: <sip:alice@192.0.2.10:5070>",
        };
        if (authorization is not null)
        {
            lines.Add("Authorization: " + authorization);
        }

        if (body.Length > 0)
        {
            lines.Add("Content-Type: application/sdp");
        }

        lines.Add("Content-Length: {len}");
        return MessageWithBody(body, [.. lines]);
    }

    /// <summary>INVITE, 401, ACK, INVITE with credentials; returns the responses to the second INVITE.</summary>
    private async Task<List<SipResponse>> JoinAsync(SipTestHost host, string body, string callId = "call-1")
    {
        await host.Channel.InjectAsync(Request("INVITE", 1, body, callId: callId)).WaitAsync(Timeout10s);
        var challenge = host.Channel.SentResponses().Single(r => r.StatusCode == 401);
        var md5 = challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Single(c => c.Contains("MD5", StringComparison.Ordinal));
        await host.Channel.InjectAsync(Request("ACK", 1, toTag: challenge.To.Tag, callId: callId, branchId: challenge.TopVia.Branch)).WaitAsync(Timeout10s);
        host.Channel.Clear();
        var auth = DigestClient.Authorization(md5, "INVITE", ConferenceUri, SipTestHost.Username, SipTestHost.Password);
        await host.Channel.InjectAsync(Request("INVITE", 2, body, authorization: auth, callId: callId)).WaitAsync(Timeout10s);
        return host.Channel.SentResponses();
    }

    private static SdpAnswer ReadAnswer(SipResponse response)
    {
        Assert.Equal("application/sdp", response.ContentType);
        var text = Encoding.UTF8.GetString(response.Body);
        Assert.True(Talko.Core.Sip.Sdp.SdpSession.TryParse(text, out var sdp));
        return new SdpAnswer(sdp!, text);
    }

    private sealed record SdpAnswer(Talko.Core.Sip.Sdp.SdpSession Session, string Text);

    [Fact]
    public async Task Authenticated_invite_is_answered_with_a_media_leg_and_bye_releases_it()
    {
        await using var host = await SipTestHost.StartAsync();
        var responses = await JoinAsync(host, Sdp());
        Assert.Equal([100, 180, 200], responses.Select(r => r.StatusCode));
        var ok = responses[2];
        Assert.Equal(responses[1].To.Tag, ok.To.Tag);
        Assert.NotNull(ok.To.Tag);
        Assert.Equal("sip:conf-42@127.0.0.1:5060", ok.Contacts.Single().Uri.ToString());

        var leg = Assert.Single(host.Media.Legs);
        Assert.Equal("conf-42", leg.Options.ConferenceId);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 30000), leg.Options.RemoteRtp);
        Assert.Equal(AudioCodec.Pcmu, leg.Options.Codec);
        Assert.Equal(101, leg.Options.TelephoneEventPayloadType);

        var answer = ReadAnswer(ok);
        var audio = Assert.Single(answer.Session.Media);
        Assert.Equal(leg.LocalRtp.Port, audio.Port);
        Assert.Equal(["0", "101"], audio.Formats);
        Assert.Equal("20", audio.Attribute("ptime"));
        Assert.Equal("127.0.0.1", answer.Session.ConnectionAddress);

        // The 2xx is retransmitted (T1, 2T1...) until the ACK arrives.
        SipTransactionTests.AdvanceInSteps(host.Time, TimeSpan.FromSeconds(1.6));
        Assert.Equal(2, host.Channel.SentResponses().Count(r => r.StatusCode == 200 && r.CSeq.Method == "INVITE") - 1);
        await host.Channel.InjectAsync(Request("ACK", 2, toTag: ok.To.Tag)).WaitAsync(Timeout10s);
        var sentAfterAck = host.Channel.Sent.Count;
        SipTransactionTests.AdvanceInSteps(host.Time, TimeSpan.FromSeconds(10));
        Assert.Equal(sentAfterAck, host.Channel.Sent.Count);
        Assert.Single(host.Engine.Conferences.Calls);

        host.Channel.Clear();
        await host.Channel.InjectAsync(Request("BYE", 3, toTag: ok.To.Tag)).WaitAsync(Timeout10s);
        Assert.Equal(200, Assert.Single(host.Channel.SentResponses()).StatusCode);
        Assert.True(leg.IsDisposed);
        Assert.Empty(host.Engine.Conferences.Calls);
        Assert.Equal(0, host.Engine.UserAgent.DialogCount);
    }

    [Fact]
    public async Task Reinvite_puts_on_hold_resumes_and_moves_the_media()
    {
        await using var host = await SipTestHost.StartAsync();
        var ok = (await JoinAsync(host, Sdp()))[2];
        var tag = ok.To.Tag;
        await host.Channel.InjectAsync(Request("ACK", 2, toTag: tag)).WaitAsync(Timeout10s);
        var leg = Assert.Single(host.Media.Legs);

        async Task<SipResponse> ReinviteAsync(int cseq, string body)
        {
            host.Channel.Clear();
            await host.Channel.InjectAsync(Request("INVITE", cseq, body, toTag: tag)).WaitAsync(Timeout10s);
            var final = host.Channel.SentResponses().Single(r => r.StatusCode >= 200);
            await host.Channel.InjectAsync(Request("ACK", cseq, toTag: tag)).WaitAsync(Timeout10s);
            return final;
        }

        var hold = await ReinviteAsync(3, Sdp(direction: "sendonly"));
        Assert.Equal(200, hold.StatusCode);
        Assert.True(leg.OnHold);
        Assert.True(ReadAnswer(hold).Session.Media[0].HasAttribute("recvonly"));

        var resume = await ReinviteAsync(4, Sdp(address: "192.0.2.99", port: 31000));
        Assert.Equal(200, resume.StatusCode);
        Assert.False(leg.OnHold);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.99"), 31000), leg.RemoteRtp);
        var resumed = ReadAnswer(resume).Session;
        Assert.True(resumed.Media[0].HasAttribute("sendrecv"));
        Assert.Equal(leg.LocalRtp.Port, resumed.Media[0].Port);

        var oldStyleHold = await ReinviteAsync(5, Sdp(address: "0.0.0.0", port: 31000));
        Assert.Equal(200, oldStyleHold.StatusCode);
        Assert.True(leg.OnHold);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.99"), 31000), leg.RemoteRtp);
        Assert.Equal([true, false, true], leg.HoldChanges);

        var otherCodec = await ReinviteAsync(6, Sdp(formats: "8 101"));
        Assert.Equal(488, otherCodec.StatusCode); // the leg's codec is fixed
    }

    [Fact]
    public async Task Offer_without_a_common_codec_gets_488()
    {
        await using var host = await SipTestHost.StartAsync();
        var responses = await JoinAsync(host, Sdp(formats: "9 18 101"));
        Assert.Equal(488, responses.Last().StatusCode);
        Assert.Empty(host.Media.Legs);
    }

    /// <summary>A DTLS-SRTP offer as baresip's dtls_srtp and ice modules write it (RFC 5763), optionally without its fingerprint.</summary>
    private static string DtlsSrtpSdp(bool fingerprint = true) =>
        "v=0\r\no=- 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\n" +
        "a=ice-ufrag:8VIvoTx\r\na=ice-pwd:YiowOD0UH3QvBspfsysv2U543JJUANV\r\na=setup:actpass\r\n" +
        (fingerprint ? "a=fingerprint:SHA-256 7A:FA:F9:CD:8B:69:12:F1:92:D5:E1:47:3F:0B:95:34:E1:03:65:59:95:74:3B:DC:49:A2:F7:78:3F:24:D4:C1\r\n" : "") +
        "m=audio 30000 UDP/TLS/RTP/SAVPF 0 8 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n" +
        "a=sendrecv\r\na=rtcp-mux\r\na=candidate:1 1 UDP 2113929471 192.0.2.10 30000 typ host\r\n";

    [Fact]
    public async Task A_dtls_srtp_offer_without_a_fingerprint_or_to_an_engine_without_webrtc_legs_gets_488()
    {
        await using var host = await SipTestHost.StartAsync();
        Assert.Equal(488, (await JoinAsync(host, DtlsSrtpSdp(fingerprint: false))).Last().StatusCode);
        Assert.Equal(488, (await JoinAsync(host, DtlsSrtpSdp(), callId: "call-2")).Last().StatusCode);
        Assert.Empty(host.Media.Legs);
    }

    [Fact]
    public async Task Pcma_only_offer_is_answered_with_pcma()
    {
        await using var host = await SipTestHost.StartAsync();
        var ok = (await JoinAsync(host, Sdp(formats: "8")))[^1];
        Assert.Equal(200, ok.StatusCode);
        Assert.Equal(AudioCodec.Pcma, Assert.Single(host.Media.Legs).Options.Codec);
        Assert.Equal(["8"], ReadAnswer(ok).Session.Media[0].Formats);
    }

    [Fact]
    public async Task Admission_refusal_gets_403_and_media_failure_gets_503()
    {
        await using (var refused = await SipTestHost.StartAsync(admission: new DenyAdmission()))
        {
            Assert.Equal(403, (await JoinAsync(refused, Sdp())).Last().StatusCode);
            Assert.Empty(refused.Media.Legs);
        }
        await using var failing = await SipTestHost.StartAsync();
        failing.Media.Fail = true;
        Assert.Equal(503, (await JoinAsync(failing, Sdp())).Last().StatusCode);
    }

    [Fact]
    public async Task Cancel_before_the_answer_gets_487_and_releases_the_leg()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(Request("INVITE", 1, Sdp())).WaitAsync(Timeout10s);
        var md5 = host.Channel.SentResponses().Single(r => r.StatusCode == 401).Headers.GetAll(SipHeaderNames.WwwAuthenticate).Single(c => c.Contains("MD5", StringComparison.Ordinal));
        host.Channel.Clear();
        host.Media.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var auth = DigestClient.Authorization(md5, "INVITE", ConferenceUri, SipTestHost.Username, SipTestHost.Password);
        var invite = host.Channel.InjectAsync(Request("INVITE", 2, Sdp(), authorization: auth, branchId: "z9hG4bKcancelme"));
        await host.Channel.InjectAsync(Request("CANCEL", 2, branchId: "z9hG4bKcancelme")).WaitAsync(Timeout10s);
        host.Media.Gate.SetResult();
        await invite.WaitAsync(Timeout10s);

        var responses = host.Channel.SentResponses();
        Assert.Contains(responses, r => r.CSeq.Method == "CANCEL" && r.StatusCode == 200);
        Assert.Contains(responses, r => r.CSeq.Method == "INVITE" && r.StatusCode == 487);
        Assert.DoesNotContain(responses, r => r.CSeq.Method == "INVITE" && r.StatusCode == 200);
        Assert.True(Assert.Single(host.Media.Legs).IsDisposed);
        Assert.Empty(host.Engine.Conferences.Calls);
    }

    [Fact]
    public async Task A_missing_ack_ends_the_call_with_bye()
    {
        await using var host = await SipTestHost.StartAsync();
        await JoinAsync(host, Sdp());
        var leg = Assert.Single(host.Media.Legs);
        SipTransactionTests.AdvanceInSteps(host.Time, TimeSpan.FromSeconds(33));
        Assert.True(leg.IsDisposed);
        Assert.Contains(host.Channel.SentRequests(), r => r.Method == "BYE");
    }

    [Fact]
    public async Task Requests_in_unknown_dialogs_get_481()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(Request("BYE", 5, toTag: "nosuchdialog")).WaitAsync(Timeout10s);
        Assert.Equal(481, Assert.Single(host.Channel.SentResponses()).StatusCode);
    }

    [Fact]
    public async Task Ringing_a_registered_device_sends_an_invite_with_an_offer_and_acks_its_answer()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Bindings.SetAsync(new SipBinding("sip:alice@127.0.0.1", "sip:alice@192.0.2.10:5070", "user-1", "device-1", "reg", 1,
            host.Time.GetUtcNow().AddHours(1), SipTransportProtocol.Udp, FakeSipChannel.Peer));
        var ringing = host.Engine.Dialer.RingUserAsync("conf-9", "user-1");

        var invite = host.Channel.SentRequests().Single(r => r.Method == "INVITE");
        Assert.Equal("sip:alice@192.0.2.10:5070", invite.Uri.ToString());
        Assert.Equal("conf-9", invite.From.Uri.User);
        var leg = Assert.Single(host.Media.Legs);
        // Opus first, then PCMU and PCMA, each clock with its telephone-event (ADR 0811); the device answers PCMU.
        Assert.Contains($"m=audio {leg.LocalRtp.Port} RTP/AVP 111 0 8 110 101", Encoding.UTF8.GetString(invite.Body));
        Assert.Equal(AudioCodec.Opus, leg.Options.Codec);

        var ok = SipResponse.For(invite, 200, "device-tag");
        ok.Contacts.Add(new SipNameAddress(SipUri.Parse("sip:alice@192.0.2.10:5070")));
        ok.ContentType = "application/sdp";
        // The device sends its audio levels under an id of its own choosing; the leg must read them under that one.
        ok.Body = Encoding.UTF8.GetBytes(Sdp(address: "192.0.2.10", port: 32000, formats: "0 101") + "a=extmap:5 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n");
        await host.Channel.InjectAsync(SipMessageWriter.ToBytes(ok)).WaitAsync(Timeout10s);

        var call = Assert.Single(await ringing.WaitAsync(Timeout10s));
        Assert.Equal("conf-9", call.ConferenceId);
        Assert.Equal(new IPEndPoint(IPAddress.Parse("192.0.2.10"), 32000), leg.RemoteRtp);
        Assert.Equal([AudioCodec.Pcmu], leg.FormatChanges);
        Assert.Equal(5, leg.AudioLevelExtensionId);
        Assert.Equal(AudioCodec.Pcmu, call.Codec);
        var ack = host.Channel.SentRequests().Single(r => r.Method == "ACK");
        Assert.Equal("device-tag", ack.To.Tag);
        Assert.Equal(1, ack.CSeq.Number);

        // The device hangs up.
        host.Channel.Clear();
        var bye = new SipRequest("BYE", SipUri.Parse("sip:conf-9@127.0.0.1:5060"))
        {
            From = ok.To, To = invite.From, CallId = invite.CallId, CSeq = new SipCSeq(1, "BYE"), MaxForwards = 70,
        };
        bye.Vias.Add(new SipVia("UDP", "192.0.2.10", 5070) { Branch = "z9hG4bKdevbye" });
        await host.Channel.InjectAsync(SipMessageWriter.ToBytes(bye)).WaitAsync(Timeout10s);
        Assert.Equal(200, Assert.Single(host.Channel.SentResponses()).StatusCode);
        Assert.True(leg.IsDisposed);
    }

    private sealed class DenyAdmission : IConferenceAdmission
    {
        public ValueTask<bool> MayJoinAsync(SipCredential caller, string conferenceId, CancellationToken cancellationToken = default) => ValueTask.FromResult(false);
    }
}
