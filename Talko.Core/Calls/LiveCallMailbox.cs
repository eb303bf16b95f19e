using System.Threading.Channels;

namespace Talko.Core.Calls;

/// <summary>
/// The one mailbox of a <see cref="LiveCall"/>: messages in the order they were posted, for the call's one loop. It
/// counts what is posted and not yet handled (an unbounded channel cannot count), so the call can retire only when
/// nothing is waiting, and a post that loses that race fails instead of going to a loop that has stopped.
/// Two kinds of message are states rather than history and are coalesced: a leg's talking (the latest state wins, so
/// a call that is behind does not queue every flip) and the periodic heartbeat and quality reports (one at a time).
/// </summary>
internal sealed class LiveCallMailbox
{
    private readonly Channel<LiveCallMessage> channel = Channel.CreateUnbounded<LiveCallMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock gate = new();
    // The latest talking state of each leg whose TalkerDue is queued.
    private readonly Dictionary<LegId, bool> talking = [];
    private readonly HashSet<LiveCallMessage> queuedOnce = [];
    private int pending;
    private bool closed;

    public ChannelReader<LiveCallMessage> Reader => channel.Reader;

    /// <summary>False when the mailbox is closed (its call retired or the host stops).</summary>
    public bool TryPost(LiveCallMessage message)
    {
        lock (gate)
        {
            return !closed && Write(message);
        }
    }

    /// <summary>Posts <paramref name="message"/> unless an equal one is waiting; <see cref="Taken"/> lets the next one in.</summary>
    public bool TryPostOnce(LiveCallMessage message)
    {
        lock (gate)
        {
            return !closed && (!queuedOnce.Add(message) || Write(message));
        }
    }

    /// <summary>The loop took a message posted with <see cref="TryPostOnce"/>: an equal one may be posted again.</summary>
    public void Taken(LiveCallMessage message)
    {
        lock (gate)
        {
            queuedOnce.Remove(message);
        }
    }

    /// <summary>Records a leg's talking state; queues a <see cref="TalkerDue"/> unless one is waiting (it will apply this state).</summary>
    public bool TryPostTalking(LegId legId, bool isTalking)
    {
        lock (gate)
        {
            if (closed)
            {
                return false;
            }

            if (talking.TryAdd(legId, isTalking))
            {
                return Write(new TalkerDue(legId));
            }

            talking[legId] = isTalking;
            return true;
        }
    }

    /// <summary>The latest talking state of the leg, taken: a flip from here on queues its own <see cref="TalkerDue"/>.</summary>
    public bool TakeTalking(LegId legId, out bool isTalking)
    {
        lock (gate)
        {
            return talking.Remove(legId, out isTalking);
        }
    }

    /// <summary>The loop has handled one message.</summary>
    public void Handled()
    {
        lock (gate)
        {
            pending--;
        }
    }

    /// <summary>Closes the mailbox if nothing is waiting in it; true when closed (the call may retire).</summary>
    public bool TryCloseIdle()
    {
        lock (gate)
        {
            if (pending > 0)
            {
                return false;
            }

            closed = true;
            channel.Writer.TryComplete();
            return true;
        }
    }

    /// <summary>The host stops: no more posts; the loop handles what is waiting and ends.</summary>
    public void Close()
    {
        lock (gate)
        {
            closed = true;
            channel.Writer.TryComplete();
        }
    }

    private bool Write(LiveCallMessage message)
    {
        pending++;
        return channel.Writer.TryWrite(message);
    }
}
