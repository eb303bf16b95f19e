using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Sip.Messages;
using Talko.Core.Sip.Transactions;
using Talko.Core.Sip.Transport;
using Talko.Tests.Infrastructure.Sip;
using static Talko.Tests.Infrastructure.Sip.SipText;

namespace Talko.Tests.Core.Sip.Transactions;

/// <summary>RFC 3261 section 17 state machines driven by a fake clock over a fake channel.</summary>
public sealed class SipTransactionTests
{
    private static readonly TimeSpan Timeout10s = TimeSpan.FromSeconds(10);

    private static (SipTransactionLayer Layer, FakeSipChannel Channel, FakeTimeProvider Time) NewLayer(SipTransportProtocol protocol = SipTransportProtocol.Udp)
    {
        var channel = new FakeSipChannel(protocol, FakeSipChannel.DefaultLocal);
        var transport = new SipTransport([channel], new SipParserOptions(), NullLogger.Instance);
        var time = new FakeTimeProvider();
        return (new SipTransactionLayer(transport, new SipTimerOptions(), time, NullLogger.Instance), channel, time);
    }

    private static SipRequest NewRequest(string method) => new(method, SipUri.Parse("sip:peer@192.0.2.10:5070"))
    {
        From = new SipNameAddress(SipUri.Parse("sip:talko@127.0.0.1")) { Tag = "local1" },
        To = new SipNameAddress(SipUri.Parse("sip:peer@192.0.2.10")),
        CallId = "tx-" + method,
        CSeq = new SipCSeq(1, method),
        MaxForwards = 70,
    };

    private static readonly SipTarget Peer = new(SipTransportProtocol.Udp, FakeSipChannel.Peer);

    /// <summary>FakeTimeProvider fires a timer re-armed inside a callback relative to the end of one Advance, so walk in small steps.</summary>
    internal static void AdvanceInSteps(FakeTimeProvider time, TimeSpan total)
    {
        for (var t = TimeSpan.Zero; t < total; t += TimeSpan.FromMilliseconds(100))
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Advances the clock and returns how many datagrams had been sent at each step.</summary>
    private static List<int> SendCounts(FakeTimeProvider time, FakeSipChannel channel, params double[] stepsMs)
    {
        var counts = new List<int>();
        foreach (var step in stepsMs)
        {
            time.Advance(TimeSpan.FromMilliseconds(step));
            counts.Add(channel.Sent.Count);
        }
        return counts;
    }

    [Fact]
    public async Task Non_invite_client_retransmits_on_timer_E_capped_at_T2_and_times_out_on_timer_F()
    {
        var (layer, channel, time) = NewLayer();
        var transaction = layer.SendRequest(NewRequest(SipMethods.Options), Peer);
        Assert.Single(channel.Sent);
        // E fires at 0.5, 1.5, 3.5, 7.5 s, then every T2 = 4 s.
        var counts = SendCounts(time, channel, 499, 1, 999, 1, 2000, 4000, 4000);
        Assert.Equal([1, 2, 2, 3, 4, 5, 6], counts);
        time.Advance(TimeSpan.FromSeconds(32) - TimeSpan.FromMilliseconds(11_500));
        var response = await transaction.FinalResponse.WaitAsync(Timeout10s);
        Assert.Equal(408, response.StatusCode);
        Assert.Equal(0, layer.ClientCount);
    }

    [Fact]
    public async Task Non_invite_client_stops_retransmitting_after_a_final_response()
    {
        var (layer, channel, time) = NewLayer();
        var request = NewRequest(SipMethods.Options);
        var transaction = layer.SendRequest(request, Peer);
        var ok = SipResponse.For(request, 200, "remote1");
        await channel.InjectAsync(SipMessageWriter.ToBytes(ok));
        Assert.Equal(200, (await transaction.FinalResponse.WaitAsync(Timeout10s)).StatusCode);
        time.Advance(TimeSpan.FromSeconds(10));
        Assert.Single(channel.Sent);
        Assert.Equal(0, layer.ClientCount); // timer K (T4) has ended it
    }

    [Fact]
    public async Task Invite_client_doubles_timer_A_and_acks_a_failure_with_the_same_branch()
    {
        var (layer, channel, time) = NewLayer();
        var request = NewRequest(SipMethods.Invite);
        var transaction = layer.SendRequest(request, Peer);
        var counts = SendCounts(time, channel, 500, 1000, 2000, 4000);
        Assert.Equal([2, 3, 4, 5], counts);

        var busy = SipResponse.For(request, 486, "remote1");
        await channel.InjectAsync(SipMessageWriter.ToBytes(busy));
        Assert.Equal(486, (await transaction.FinalResponse.WaitAsync(Timeout10s)).StatusCode);
        await channel.InjectAsync(SipMessageWriter.ToBytes(busy)); // retransmitted final: ACK again
        var acks = channel.SentRequests().Where(r => r.Method == SipMethods.Ack).ToList();
        Assert.Equal(2, acks.Count);
        Assert.All(acks, ack =>
        {
            Assert.Equal(request.TopVia.Branch, ack.TopVia.Branch);
            Assert.Equal("remote1", ack.To.Tag);
            Assert.Equal(new SipCSeq(1, SipMethods.Ack), ack.CSeq);
        });
        time.Advance(TimeSpan.FromSeconds(32));
        Assert.Equal(0, layer.ClientCount); // timer D
        Assert.Equal(5 + 2, channel.Sent.Count); // no INVITE after the response
    }

    [Fact]
    public async Task Invite_client_times_out_on_timer_B()
    {
        var (layer, _, time) = NewLayer();
        var transaction = layer.SendRequest(NewRequest(SipMethods.Invite), Peer);
        time.Advance(TimeSpan.FromSeconds(31.9));
        Assert.False(transaction.FinalResponse.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(408, (await transaction.FinalResponse.WaitAsync(Timeout10s)).StatusCode);
    }

    [Fact]
    public async Task Reliable_transport_does_not_retransmit()
    {
        var (layer, channel, time) = NewLayer(SipTransportProtocol.Tcp);
        var transaction = layer.SendRequest(NewRequest(SipMethods.Options), new SipTarget(SipTransportProtocol.Tcp, FakeSipChannel.Peer));
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Single(channel.Sent);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(408, (await transaction.FinalResponse.WaitAsync(Timeout10s)).StatusCode);
    }

    private static string Invite(string branch, string callId = "srv-invite", string fromTag = "caller1") => MessageWithBody("",
        "INVITE sip:conf-1@127.0.0.1 SIP/2.0",
        "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=" + branch + ";rport",
        "Max-Forwards: 70",
        "From: <sip:alice@example.org>;tag=" + fromTag,
        "To: <sip:conf-1@127.0.0.1>",
        "Call-ID: " + callId,
        "CSeq: 1 INVITE",
        "Contact: <sip:alice@192.0.2.10:5070>",
        "Content-Length: 0");

    [Fact]
    public async Task Invite_server_sends_100_then_retransmits_a_failure_on_timer_G_until_the_ack()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(Invite("z9hG4bKsrv1")).WaitAsync(Timeout10s);
        Assert.Equal([100, 401], host.Channel.SentStatusCodes());
        // The 401 goes to received/rport (RFC 3581), which here is the packet's source.
        Assert.All(host.Channel.Sent, s => Assert.Equal(FakeSipChannel.Peer, s.Remote));

        var counts = SendCounts(host.Time, host.Channel, 500, 1000, 2000);
        Assert.Equal([3, 4, 5], counts);
        var toTag = host.Channel.SentResponses().Last().To.Tag;
        await host.Channel.InjectAsync(Message(
            "ACK sip:conf-1@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.10:5070;branch=z9hG4bKsrv1", "Max-Forwards: 70",
            "From: <sip:alice@example.org>;tag=caller1", "To: <sip:conf-1@127.0.0.1>;tag=" + toTag, "Call-ID: srv-invite", "CSeq: 1 ACK", "Content-Length: 0"));
        host.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(5, host.Channel.Sent.Count);
        Assert.Equal(0, host.Engine.UserAgent.Transactions.ServerCount); // timer I ended Confirmed
    }

    [Fact]
    public async Task Invite_server_without_ack_gives_up_on_timer_H()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(Invite("z9hG4bKsrv2")).WaitAsync(Timeout10s);
        AdvanceInSteps(host.Time, TimeSpan.FromSeconds(31.9));
        Assert.Equal(1, host.Engine.UserAgent.Transactions.ServerCount);
        var sentBefore = host.Channel.Sent.Count;
        Assert.True(sentBefore > 5); // G kept retransmitting, capped at T2
        host.Time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(0, host.Engine.UserAgent.Transactions.ServerCount);
    }

    [Fact]
    public async Task Invite_retransmission_gets_the_last_response_again_not_a_new_transaction()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(Invite("z9hG4bKsrv3")).WaitAsync(Timeout10s);
        await host.Channel.InjectAsync(Invite("z9hG4bKsrv3")).WaitAsync(Timeout10s);
        var responses = host.Channel.SentResponses();
        Assert.Equal([100, 401, 401], responses.Select(r => r.StatusCode));
        Assert.Equal(responses[1].To.Tag, responses[2].To.Tag);
    }

    private static string Options(string branch, string callId = "opt-1", string fromTag = "1") => Message(
        "OPTIONS sip:talko@127.0.0.1 SIP/2.0", $"Via: SIP/2.0/UDP 192.0.2.10:5070;branch={branch}", "Max-Forwards: 70",
        $"From: <sip:a@example.org>;tag={fromTag}", "To: <sip:talko@127.0.0.1>", $"Call-ID: {callId}", "CSeq: 1 OPTIONS", "Content-Length: 0");

    [Fact]
    public async Task Non_invite_server_answers_retransmissions_from_the_compact_completed_table_until_timer_J()
    {
        await using var host = await SipTestHost.StartAsync();
        var options = Options("z9hG4bKopt1");
        await host.Channel.InjectAsync(options).WaitAsync(Timeout10s);
        var transactions = host.Engine.UserAgent.Transactions;
        Assert.Equal(0, transactions.ServerCount); // the full transaction is gone ...
        Assert.Equal(1, transactions.CompletedCount); // ... its final response waits out timer J compactly

        host.Time.Advance(TimeSpan.FromSeconds(31));
        await host.Channel.InjectAsync(options).WaitAsync(Timeout10s);
        var responses = host.Channel.SentResponses();
        Assert.Equal([200, 200], responses.Select(r => r.StatusCode));
        Assert.Equal(responses[0].To.Tag, responses[1].To.Tag); // resent as is, not answered again by the user agent
        Assert.Equal(host.Channel.Sent[0].Data, host.Channel.Sent[1].Data);

        host.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(0, transactions.CompletedCount);
        await host.Channel.InjectAsync(options).WaitAsync(Timeout10s); // after timer J the same request is new work
        Assert.NotEqual(responses[0].To.Tag, host.Channel.SentResponses()[2].To.Tag);
    }

    [Fact]
    public async Task Completed_non_invite_transactions_do_not_count_against_the_live_transaction_cap()
    {
        await using var host = await SipTestHost.StartAsync(o => o.MaxTransactions = 2);
        for (var i = 0; i < 10; i++)
        {
            await host.Channel.InjectAsync(Options($"z9hG4bKcap{i}", $"cap-{i}")).WaitAsync(Timeout10s);
        }

        Assert.All(host.Channel.SentStatusCodes(), code => Assert.Equal(200, code));
        Assert.Equal(10, host.Engine.UserAgent.Transactions.CompletedCount);
        Assert.Equal(0, host.Engine.UserAgent.Transactions.RejectedForCapacity);

        // Live transactions still count: INVITEs waiting for their ACK fill the table and the third gets 503.
        host.Channel.Clear();
        await host.Channel.InjectAsync(Invite("z9hG4bKlive1", "live-1")).WaitAsync(Timeout10s);
        await host.Channel.InjectAsync(Invite("z9hG4bKlive2", "live-2")).WaitAsync(Timeout10s);
        await host.Channel.InjectAsync(Invite("z9hG4bKlive3", "live-3")).WaitAsync(Timeout10s);
        Assert.Equal([100, 401, 100, 401, 503], host.Channel.SentStatusCodes());
        Assert.Equal(1, host.Engine.UserAgent.Transactions.RejectedForCapacity);
    }

    [Fact]
    public async Task The_completed_table_drops_its_oldest_entries_beyond_its_cap_instead_of_refusing_work()
    {
        await using var host = await SipTestHost.StartAsync(o => o.MaxCompletedTransactions = 3);
        for (var i = 0; i < 5; i++)
        {
            await host.Channel.InjectAsync(Options($"z9hG4bKfull{i}", $"full-{i}")).WaitAsync(Timeout10s);
        }

        var transactions = host.Engine.UserAgent.Transactions;
        Assert.Equal(3, transactions.CompletedCount);
        Assert.Equal(2, transactions.CompletedEvicted);
        var first = host.Channel.SentResponses();
        host.Channel.Clear();
        await host.Channel.InjectAsync(Options("z9hG4bKfull4", "full-4")).WaitAsync(Timeout10s); // newest: still absorbed
        await host.Channel.InjectAsync(Options("z9hG4bKfull0", "full-0")).WaitAsync(Timeout10s); // oldest: dropped, answered anew
        var again = host.Channel.SentResponses();
        Assert.Equal(first[4].To.Tag, again[0].To.Tag);
        Assert.NotEqual(first[0].To.Tag, again[1].To.Tag);
    }

    [Fact]
    public async Task A_merged_non_invite_request_is_still_detected_while_the_first_is_completed()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(Options("z9hG4bKm1", "merged-opt")).WaitAsync(Timeout10s);
        await host.Channel.InjectAsync(Options("z9hG4bKm2", "merged-opt")).WaitAsync(Timeout10s);
        Assert.Equal([200, 482], host.Channel.SentStatusCodes());

        host.Time.Advance(TimeSpan.FromSeconds(33));
        await host.Channel.InjectAsync(Options("z9hG4bKm3", "merged-opt")).WaitAsync(Timeout10s);
        Assert.Equal([200, 482, 200], host.Channel.SentStatusCodes());
    }

    [Fact]
    public async Task Over_TCP_a_non_invite_server_transaction_ends_at_once_and_keeps_nothing()
    {
        await using var host = await SipTestHost.StartAsync(protocol: SipTransportProtocol.Tcp);
        await host.Channel.InjectAsync(Options("z9hG4bKtcp1").Replace("SIP/2.0/UDP", "SIP/2.0/TCP", StringComparison.Ordinal)).WaitAsync(Timeout10s);
        Assert.Equal([200], host.Channel.SentStatusCodes());
        host.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Equal(0, host.Engine.UserAgent.Transactions.ServerCount);
        Assert.Equal(0, host.Engine.UserAgent.Transactions.CompletedCount);
    }

    [Fact]
    public async Task Rfc2543_requests_without_magic_cookie_still_match_their_transaction()
    {
        await using var host = await SipTestHost.StartAsync();
        var options = Message("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 192.0.2.10:5070", "From: <sip:a@example.org>;tag=1",
            "To: <sip:talko@127.0.0.1>", "Call-ID: old-1", "CSeq: 1 OPTIONS", "Content-Length: 0");
        await host.Channel.InjectAsync(options).WaitAsync(Timeout10s);
        await host.Channel.InjectAsync(options).WaitAsync(Timeout10s);
        var responses = host.Channel.SentResponses();
        Assert.Equal(2, responses.Count);
        Assert.Equal(responses[0].To.Tag, responses[1].To.Tag);
    }

    [Fact]
    public async Task Merged_request_with_another_branch_gets_482()
    {
        await using var host = await SipTestHost.StartAsync();
        await host.Channel.InjectAsync(Invite("z9hG4bKfork1", "merged-1")).WaitAsync(Timeout10s);
        await host.Channel.InjectAsync(Invite("z9hG4bKfork2", "merged-1")).WaitAsync(Timeout10s);
        Assert.Equal([100, 401, 100, 482], host.Channel.SentStatusCodes());
    }

    [Fact]
    public async Task Response_routing_uses_received_and_rport()
    {
        await using var host = await SipTestHost.StartAsync();
        var natSource = new IPEndPoint(IPAddress.Parse("203.0.113.5"), 40_001);
        var options = Message("OPTIONS sip:talko@127.0.0.1 SIP/2.0", "Via: SIP/2.0/UDP 10.1.1.1:5060;branch=z9hG4bKnat;rport", "Max-Forwards: 70",
            "From: <sip:a@example.org>;tag=1", "To: <sip:talko@127.0.0.1>", "Call-ID: nat-1", "CSeq: 1 OPTIONS", "Content-Length: 0");
        await host.Channel.InjectAsync(options, natSource).WaitAsync(Timeout10s);
        var (remote, _) = Assert.Single(host.Channel.Sent);
        Assert.Equal(natSource, remote);
        var via = host.Channel.SentResponses()[0].TopVia;
        Assert.Equal("203.0.113.5", via.Received);
        Assert.Equal(40_001, via.Rport);
    }
}
