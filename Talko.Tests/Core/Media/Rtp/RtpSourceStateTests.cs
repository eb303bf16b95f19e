using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Rtp;

public class RtpSourceStateTests
{
    [Fact]
    public void SequenceWraparoundExtendsTheHighestSequence()
    {
        var state = new RtpSourceState();
        ushort sequence = 65530;
        for (var i = 0; i < 12; i++)
        {
            state.Update(1, sequence++);
        }

        Assert.Equal(65536u + 5, state.ExtendedHighestSequence);
        Assert.Equal(12, state.Expected);
        Assert.Equal(0, state.Lost);
    }

    [Fact]
    public void GapsCountAsLostAndReorderedPacketsAsLate()
    {
        var state = new RtpSourceState();
        state.Update(1, 100);
        state.Update(1, 101);
        Assert.Equal(RtpSequenceVerdict.InOrder, state.Update(1, 104));
        Assert.Equal(2, state.Lost);
        Assert.Equal(RtpSequenceVerdict.Late, state.Update(1, 102));
        Assert.Equal(1, state.Lost);
        Assert.Equal(51, state.TakeFractionLost()); // 1 of 5 expected lost = 256 / 5
        Assert.Equal(0, state.TakeFractionLost());
    }

    [Fact]
    public void NewSsrcRestartsAndLargeJumpNeedsConfirmation()
    {
        var state = new RtpSourceState();
        Assert.Equal(RtpSequenceVerdict.Restarted, state.Update(1, 10));
        state.Update(1, 11);
        Assert.Equal(RtpSequenceVerdict.Restarted, state.Update(2, 5000));
        Assert.Equal(2u, state.Ssrc);

        Assert.Equal(RtpSequenceVerdict.Jumped, state.Update(2, 40000));
        Assert.Equal(RtpSequenceVerdict.Restarted, state.Update(2, 40001));
        Assert.Equal(40001u, state.ExtendedHighestSequence);
    }

    [Fact]
    public void InterarrivalJitterFollowsTransitVariation()
    {
        var steady = new InterarrivalJitter();
        var jittery = new InterarrivalJitter();
        for (var i = 0; i < 200; i++)
        {
            steady.Update(i * 160, i * 160);
            jittery.Update((i * 160) + (i % 2 == 0 ? 0 : 80), i * 160);
        }

        Assert.Equal(0, steady.Value);
        Assert.InRange(jittery.Value, 70, 80);
    }
}
