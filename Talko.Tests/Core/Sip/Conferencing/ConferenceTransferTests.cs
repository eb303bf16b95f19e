using System.Text;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Messages;
using Talko.Tests.Core.Sip.Transactions;
using Talko.Tests.Infrastructure.Sip;
using static Talko.Tests.Infrastructure.Sip.SipText;

namespace Talko.Tests.Core.Sip.Conferencing;

/// <summary>Blind transfer of a conference leg over a fake channel: REFER in the dialog, 202, NOTIFY (message/sipfrag), BYE, fallbacks.</summary>
public sealed class ConferenceTransferTests
{
    private static readonly TimeSpan Timeout10s = TimeSpan.FromSeconds(10);
    private static readonly ConferenceTransferTimings Timings = new(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));
    private static readonly SipUri NewOwner = SipUri.Parse("sip:conf-42@127.0.0.2:5062");
    private const string ConferenceUri = "sip:conf-42@127.0.0.1";
    private const string Sdp = "v=0\r\no=peer 1 1 IN IP4 192.0.2.10\r\ns=-\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";
    private int branch;
    private int cseq = 10;

    private string Request(string method, int number, string body = "", string contentType = "application/sdp", string? toTag = null, string? authorization = null, params string[] extra)
    {
        var lines = new List<string>
        {
            $"{method} {ConferenceUri} SIP/2.0",
            $"Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKt{Interlocked.Increment(ref branch)};rport",
            "Max-Forwards: 70",
            "From: <sip:alice@127.0.0.1>;tag=alice1",
            "To: <sip:conf-42@127.0.0.1>" + (toTag is null ? "" : ";tag=" + toTag),
            "Call-ID: transfer-1",
            $"CSeq: {number} {method}",
            "Contact: <sip:alice@192.0.2.10:5070>",
        };
        if (authorization is not null)
        {
            lines.Add("Authorization: " + authorization);
        }

        lines.AddRange(extra);
        if (body.Length > 0)
        {
            lines.Add("Content-Type: " + contentType);
        }

        lines.Add("Content-Length: {len}");
        return MessageWithBody(body, [.. lines]);
    }

    /// <summary>Joins conf-42 as alice and acknowledges the 200; returns the leg and the engine's tag.</summary>
    private async Task<(ConferenceCall Call, string Tag)> JoinAsync(SipTestHost host)
    {
        await host.Channel.InjectAsync(Request("INVITE", 1, Sdp)).WaitAsync(Timeout10s);
        var challenge = host.Channel.SentResponses().Single(r => r.StatusCode == 401);
        var md5 = challenge.Headers.GetAll(SipHeaderNames.WwwAuthenticate).Single(c => c.Contains("MD5", StringComparison.Ordinal));
        var auth = DigestClient.Authorization(md5, "INVITE", ConferenceUri, SipTestHost.Username, SipTestHost.Password);
        await host.Channel.InjectAsync(Request("INVITE", 2, Sdp, authorization: auth)).WaitAsync(Timeout10s);
        var ok = host.Channel.SentResponses().Single(r => r.StatusCode == 200);
        await host.Channel.InjectAsync(Request("ACK", 2, toTag: ok.To.Tag)).WaitAsync(Timeout10s);
        host.Channel.Clear();
        return (Assert.Single(host.Engine.Conferences.Calls), ok.To.Tag!);
    }

    private static async Task<SipRequest> SentReferAsync(SipTestHost host)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            if (host.Channel.SentRequests().FirstOrDefault(r => r.Method == "REFER") is { } refer)
            {
                return refer;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException("no REFER was sent");
    }

    private Task NotifyAsync(SipTestHost host, string tag, string sipfrag, string state, string eventPackage = "refer") =>
        host.Channel.InjectAsync(Request("NOTIFY", ++cseq, sipfrag, "message/sipfrag;version=2.0", tag, null, $"Event: {eventPackage}", $"Subscription-State: {state}")).WaitAsync(Timeout10s);

    private static async Task RespondAsync(SipTestHost host, SipRequest request, int status) =>
        await host.Channel.InjectAsync(SipMessageWriter.ToBytes(SipResponse.For(request, status, request.To.Tag))).WaitAsync(Timeout10s);

    /// <summary>
    /// Moves the fake clock past <paramref name="wait"/>, again if need be: the transfer arms its timer on another
    /// thread, possibly after a first advance.
    /// </summary>
    private static async Task<ConferenceTransferResult> AdvanceUntilDoneAsync(SipTestHost host, Task<ConferenceTransferResult> transfer, TimeSpan wait)
    {
        for (var round = 0; round < 20 && !transfer.IsCompleted; round++)
        {
            SipTransactionTests.AdvanceInSteps(host.Time, round == 0 ? wait : TimeSpan.FromSeconds(1));
            await Task.WhenAny(transfer, Task.Delay(50));
        }

        return await transfer.WaitAsync(Timeout10s);
    }

    [Fact]
    public async Task Accepted_refer_is_followed_by_notifies_and_the_devices_bye()
    {
        await using var host = await SipTestHost.StartAsync();
        var (call, tag) = await JoinAsync(host);
        var transfer = host.Engine.Conferences.TransferAsync(call, NewOwner, Timings);

        var refer = await SentReferAsync(host);
        Assert.Equal("sip:alice@192.0.2.10:5070", refer.Uri.ToString());
        Assert.Equal("transfer-1", refer.CallId);
        Assert.Equal(tag, refer.From.Tag);
        Assert.Equal("alice1", refer.To.Tag);
        Assert.Equal("<sip:conf-42@127.0.0.2:5062>", refer.Headers.Get(SipHeaderNames.ReferTo));
        Assert.Contains("conf-42", refer.Headers.Get(SipHeaderNames.ReferredBy), StringComparison.Ordinal);
        Assert.True(refer.CSeq.Number > 0);
        await RespondAsync(host, refer, 202);

        host.Channel.Clear();
        await NotifyAsync(host, tag, "SIP/2.0 100 Trying\r\n", "active;expires=60");
        await NotifyAsync(host, tag, "SIP/2.0 200 OK\r\n", "terminated;reason=noresource");
        Assert.Equal([200, 200], host.Channel.SentResponses().Select(r => r.StatusCode));
        Assert.False(transfer.IsCompleted);

        await host.Channel.InjectAsync(Request("BYE", ++cseq, toTag: tag)).WaitAsync(Timeout10s);
        var result = await transfer.WaitAsync(Timeout10s);
        Assert.Equal(new ConferenceTransferResult(ConferenceTransferOutcome.Left, 202, 200), result);
        Assert.True(Assert.Single(host.Media.Legs).IsDisposed);
        Assert.DoesNotContain(host.Channel.SentRequests(), r => r.Method == "BYE");
    }

    [Fact]
    public async Task Refused_refer_leaves_the_leg_up_for_a_fallback()
    {
        await using var host = await SipTestHost.StartAsync();
        var (call, _) = await JoinAsync(host);
        var transfer = host.Engine.Conferences.TransferAsync(call, NewOwner, Timings);
        await RespondAsync(host, await SentReferAsync(host), 405);

        var result = await transfer.WaitAsync(Timeout10s);
        Assert.Equal(ConferenceTransferOutcome.Refused, result.Outcome);
        Assert.Equal(405, result.ReferStatus);
        Assert.False(call.Ended.IsCompleted);
        Assert.Single(host.Engine.Conferences.Calls);
    }

    [Fact]
    public async Task Unanswered_refer_times_out_as_refused()
    {
        await using var host = await SipTestHost.StartAsync();
        var (call, _) = await JoinAsync(host);
        var transfer = host.Engine.Conferences.TransferAsync(call, NewOwner, Timings);
        await SentReferAsync(host);

        var result = await AdvanceUntilDoneAsync(host, transfer, TimeSpan.FromSeconds(4.5));
        Assert.Equal(new ConferenceTransferResult(ConferenceTransferOutcome.Refused, 408, null), result);
        Assert.False(call.Ended.IsCompleted);
    }

    [Fact]
    public async Task A_failed_referred_invite_reported_by_notify_leaves_the_leg_up()
    {
        await using var host = await SipTestHost.StartAsync();
        var (call, tag) = await JoinAsync(host);
        var transfer = host.Engine.Conferences.TransferAsync(call, NewOwner, Timings);
        await RespondAsync(host, await SentReferAsync(host), 202);

        await NotifyAsync(host, tag, "SIP/2.0 486 Busy Here\r\n", "terminated;reason=noresource");
        var result = await transfer.WaitAsync(Timeout10s);
        Assert.Equal(new ConferenceTransferResult(ConferenceTransferOutcome.Refused, 202, 486), result);
        Assert.False(call.Ended.IsCompleted);
    }

    [Fact]
    public async Task A_device_that_accepts_but_stays_is_hung_up_after_the_wait()
    {
        await using var host = await SipTestHost.StartAsync();
        var (call, _) = await JoinAsync(host);
        var transfer = host.Engine.Conferences.TransferAsync(call, NewOwner, Timings);
        await RespondAsync(host, await SentReferAsync(host), 202);
        await Task.Delay(50);
        Assert.False(transfer.IsCompleted);

        var result = await AdvanceUntilDoneAsync(host, transfer, TimeSpan.FromSeconds(5.5));
        Assert.Equal(ConferenceTransferOutcome.Stayed, result.Outcome);
        Assert.True(call.Ended.IsCompleted);
        Assert.Contains(host.Channel.SentRequests(), r => r.Method == "BYE");
        Assert.Empty(host.Engine.Conferences.Calls);
    }

    [Fact]
    public async Task Notify_without_a_transfer_gets_481_and_other_event_packages_get_489()
    {
        await using var host = await SipTestHost.StartAsync();
        var (_, tag) = await JoinAsync(host);
        await NotifyAsync(host, tag, "SIP/2.0 200 OK\r\n", "terminated");
        await NotifyAsync(host, tag, "SIP/2.0 200 OK\r\n", "active", eventPackage: "presence");
        Assert.Equal([481, 489], host.Channel.SentResponses().Select(r => r.StatusCode));
        Assert.Single(host.Engine.Conferences.Calls);
    }

    [Fact]
    public async Task Notify_and_refer_outside_a_dialog_are_still_405()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(Request("REFER", 1, extra: "Refer-To: <sip:x@192.0.2.1>")).WaitAsync(Timeout10s);
        await NotifyAsync(host, null!, "SIP/2.0 200 OK\r\n", "active");
        Assert.Equal([405, 405], host.Channel.SentResponses().Select(r => r.StatusCode));
    }

    [Theory]
    [InlineData("SIP/2.0 180 Ringing\r\n", 180)]
    [InlineData("SIP/2.0 603 Declined\r\nContent-Length: 0\r\n", 603)]
    [InlineData("INVITE sip:x@y SIP/2.0\r\n", null)]
    [InlineData("SIP/2.0 99 Odd\r\n", null)]
    [InlineData("garbage", null)]
    [InlineData("", null)]
    public void Sipfrag_status_lines_are_read_and_anything_else_reports_nothing(string body, int? expected) =>
        Assert.Equal(expected, ReferSubscription.ParseSipfragStatus(Encoding.UTF8.GetBytes(body)));
}
