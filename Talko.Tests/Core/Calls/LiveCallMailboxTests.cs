using Talko.Core.Calls;

namespace Talko.Tests.Core.Calls;

/// <summary>The live call's mailbox: talker flips coalesce per leg, periodic messages wait once, and it closes only when idle.</summary>
public sealed class LiveCallMailboxTests
{
    private static readonly LegId Leg = LegId.Inbound("leg-1");

    [Fact]
    public void Talker_flips_of_one_leg_queue_one_message_that_applies_the_latest_state()
    {
        var mailbox = new LiveCallMailbox();
        Assert.True(mailbox.TryPostTalking(Leg, true));
        Assert.True(mailbox.TryPostTalking(Leg, false));
        Assert.True(mailbox.TryPostTalking(Leg, true));

        Assert.True(mailbox.Reader.TryRead(out var message));
        Assert.Equal(new TalkerDue(Leg), message);
        Assert.False(mailbox.Reader.TryRead(out _));
        Assert.True(mailbox.TakeTalking(Leg, out var talking));
        Assert.True(talking);

        // Taken: the next flip queues its own message.
        Assert.True(mailbox.TryPostTalking(Leg, false));
        Assert.True(mailbox.Reader.TryRead(out _));
    }

    [Fact]
    public void A_periodic_message_waits_once_until_the_loop_takes_it()
    {
        var mailbox = new LiveCallMailbox();
        Assert.True(mailbox.TryPostOnce(Heartbeat.Instance));
        Assert.True(mailbox.TryPostOnce(Heartbeat.Instance));
        Assert.True(mailbox.Reader.TryRead(out var first));
        Assert.False(mailbox.Reader.TryRead(out _));

        mailbox.Taken(first!);
        Assert.True(mailbox.TryPostOnce(Heartbeat.Instance));
        Assert.True(mailbox.Reader.TryRead(out _));
    }

    [Fact]
    public void It_closes_only_when_nothing_waits_and_refuses_posts_afterwards()
    {
        var mailbox = new LiveCallMailbox();
        Assert.True(mailbox.TryPost(new Flush(new TaskCompletionSource())));
        Assert.False(mailbox.TryCloseIdle());

        Assert.True(mailbox.Reader.TryRead(out _));
        mailbox.Handled();
        Assert.True(mailbox.TryCloseIdle());
        Assert.False(mailbox.TryPost(new Flush(new TaskCompletionSource())));
        Assert.False(mailbox.TryPostTalking(Leg, true));
        Assert.True(mailbox.Reader.Completion.IsCompleted);
    }
}
