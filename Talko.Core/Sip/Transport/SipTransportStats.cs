namespace Talko.Core.Sip.Transport;

/// <summary>Counters of what the transport saw; read by tests and health checks.</summary>
public sealed class SipTransportStats
{
    private long received, malformedAnswered, malformedDropped, responsesDropped;

    public long Received => Interlocked.Read(ref received);
    public long MalformedAnswered => Interlocked.Read(ref malformedAnswered);
    public long MalformedDropped => Interlocked.Read(ref malformedDropped);
    public long ResponsesDropped => Interlocked.Read(ref responsesDropped);

    internal void CountReceived() => Interlocked.Increment(ref received);
    internal void CountMalformedAnswered() => Interlocked.Increment(ref malformedAnswered);
    internal void CountMalformedDropped() => Interlocked.Increment(ref malformedDropped);
    internal void CountResponseDropped() => Interlocked.Increment(ref responsesDropped);
}
