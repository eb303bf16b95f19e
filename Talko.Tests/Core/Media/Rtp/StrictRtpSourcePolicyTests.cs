using System.Net;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Rtp;

/// <summary>Strict RTP source learning (ADR 0164, 0167) on a driven clock. The phone signals from its NAT's public IP.</summary>
public sealed class StrictRtpSourcePolicyTests
{
    private static readonly IPEndPoint Signalled = new(IPAddress.Parse("192.0.2.10"), 4000);
    private static readonly IPEndPoint NatBinding = new(IPAddress.Parse("203.0.113.7"), 61000);
    private static readonly IPEndPoint NewNatBinding = new(NatBinding.Address, 62000);
    private static readonly IPEndPoint Stranger = new(IPAddress.Parse("198.51.100.66"), 5004);
    private static readonly RtpSourceOptions Options = new() { LearningPackets = 5, QuietPeriod = TimeSpan.FromSeconds(2) };
    private readonly FakeTimeProvider time = new();
    private StrictRtpSourcePolicy policy;

    public StrictRtpSourcePolicyTests() =>
        policy = new StrictRtpSourcePolicy(Signalled.Serialize(), Options, time, NatBinding.Address);

    private int Send(IPEndPoint from, uint ssrc, ushort firstSequence, int packets)
    {
        var accepted = 0;
        for (var i = 0; i < packets; i++)
        {
            if (policy.AcceptRtp(from.Serialize(), ssrc, (ushort)(firstSequence + i)))
            {
                accepted++;
            }

            time.Advance(TimeSpan.FromMilliseconds(20));
        }
        return accepted;
    }

    private IPEndPoint Target => Endpoint(policy.RtpTarget);

    private static IPEndPoint Endpoint(SocketAddress address) => (IPEndPoint)new IPEndPoint(IPAddress.Any, 0).Create(address);

    [Fact]
    public void Media_goes_to_the_signalled_address_until_another_proves_itself()
    {
        Assert.Equal(Signalled, Target);
        Assert.Equal(new IPEndPoint(Signalled.Address, 4001), Endpoint(policy.RtcpTarget));
        Assert.Equal(0, Send(Stranger, 7, 100, 4));
        Assert.Equal(Signalled, Target);
    }

    [Fact]
    public void A_phone_behind_NAT_is_learned_after_the_learning_packets()
    {
        Assert.Equal(6, Send(NatBinding, 42, 1000, 10)); // the 5th packet proves it; it and the rest are used
        Assert.Equal(NatBinding, Target);
        Assert.Equal(1, policy.SourceChanges);
    }

    [Fact]
    public void Out_of_sequence_packets_or_another_SSRC_start_the_count_again()
    {
        Assert.Equal(0, Send(Stranger, 7, 100, 4));
        Assert.False(policy.AcceptRtp(Stranger.Serialize(), 7, 300)); // a jump
        Assert.Equal(0, Send(Stranger, 8, 301, 4)); // another SSRC
        Assert.Equal(Signalled, Target);
    }

    [Fact]
    public void Interleaved_senders_never_complete_a_run()
    {
        for (var i = 0; i < 50; i++)
        {
            Assert.False(policy.AcceptRtp(Stranger.Serialize(), 7, (ushort)i));
            Assert.False(policy.AcceptRtp(new IPEndPoint(Stranger.Address, 5006).Serialize(), 9, (ushort)i));
        }
        Assert.Equal(Signalled, Target);
    }

    [Fact]
    public void While_the_source_talks_no_one_takes_over_and_after_the_quiet_period_a_proven_one_does()
    {
        Send(NatBinding, 1, 0, 10);
        Assert.Equal(0, Send(NewNatBinding, 1, 100, 20)); // 400 ms after the source's last packet: not quiet
        Assert.Equal(NatBinding, Target);

        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, Send(NewNatBinding, 1, 200, 4)); // quiet, but not yet proven
        Assert.Equal(1, Send(NewNatBinding, 1, 204, 1));
        Assert.Equal(NewNatBinding, Target);
    }

    [Fact]
    public void A_stranger_at_another_address_never_becomes_the_source_before_the_phone_speaks_or_after_it_falls_silent()
    {
        Assert.Equal(0, Send(Stranger, 7, 100, 50)); // a proper stream before the phone's first packet
        Assert.Equal(Signalled, Target);

        Send(NatBinding, 42, 0, 10);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.Equal(0, Send(Stranger, 7, 200, 50)); // and after the phone fell silent
        Assert.Equal(NatBinding, Target);
        Assert.Equal(1, policy.SourceChanges);
    }

    [Fact]
    public void Without_the_signalling_rule_a_proven_stranger_takes_a_silent_leg()
    {
        policy = new StrictRtpSourcePolicy(Signalled.Serialize(), new RtpSourceOptions { LearningPackets = 5, QuietPeriod = TimeSpan.FromSeconds(2), LearnOnlyFromSignallingAddresses = false }, time);
        Send(Signalled, 1, 0, 10);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, Send(Stranger, 7, 200, 5));
        Assert.Equal(Stranger, Target);
    }

    [Fact]
    public void A_re_invite_from_a_new_network_lets_the_phone_be_learned_there()
    {
        var newNetwork = new IPEndPoint(IPAddress.Parse("100.64.1.2"), 40000);
        Assert.Equal(0, Send(newNetwork, 42, 0, 10));
        policy.Renegotiate(Signalled.Serialize(), newNetwork.Address);
        Assert.Equal(6, Send(newNetwork, 42, 10, 10));
        Assert.Equal(newNetwork, Target);
    }

    [Fact]
    public void The_signalled_address_takes_media_back_at_once()
    {
        Send(NatBinding, 42, 0, 5);
        Assert.Equal(NatBinding, Target);
        Assert.True(policy.AcceptRtp(Signalled.Serialize(), 1, 9));
        Assert.Equal(Signalled, Target);
    }

    [Fact]
    public void Renegotiation_trusts_the_new_address()
    {
        Send(NatBinding, 42, 0, 5);
        var moved = new IPEndPoint(IPAddress.Parse("192.0.2.99"), 7000);
        policy.Renegotiate(moved.Serialize());
        Assert.Equal(moved, Target);
        Assert.True(policy.AcceptRtp(moved.Serialize(), 43, 0));
        Assert.False(policy.AcceptRtp(NatBinding.Serialize(), 42, 5));
    }

    [Fact]
    public void RTCP_is_taken_only_from_its_target_or_from_the_RTP_source_with_its_SSRC()
    {
        var reports = new IPEndPoint(NatBinding.Address, 61001);
        Assert.False(policy.AcceptRtcp(reports.Serialize(), 42)); // no RTP source proven yet
        Send(NatBinding, 42, 0, 5);
        Assert.False(policy.AcceptRtcp(Stranger.Serialize(), 42)); // right SSRC, wrong address
        Assert.False(policy.AcceptRtcp(new IPEndPoint(NatBinding.Address, 62000).Serialize(), 43)); // right address, wrong SSRC
        Assert.False(policy.AcceptRtcp(new IPEndPoint(NatBinding.Address, 62000).Serialize(), null));
        Assert.Equal(new IPEndPoint(NatBinding.Address, 61001), Endpoint(policy.RtcpTarget)); // RTP port + 1 by default
        var elsewhere = new IPEndPoint(NatBinding.Address, 62000);
        Assert.True(policy.AcceptRtcp(elsewhere.Serialize(), 42));
        Assert.Equal(elsewhere, Endpoint(policy.RtcpTarget));
        Assert.False(policy.AcceptRtcp(Stranger.Serialize(), 7));
        Assert.Equal(elsewhere, Endpoint(policy.RtcpTarget));
    }
}
