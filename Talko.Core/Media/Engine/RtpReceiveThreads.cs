using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Talko.Core.Media.Engine;

/// <summary>
/// A few dedicated threads that receive every plain-RTP leg's RTP and RTCP (ADR 0920). Each thread waits on one epoll
/// set holding its legs' sockets and, when some are readable, drains them with non-blocking recvfrom and hands each
/// datagram to its leg on the spot: no async receive per socket, no thread-pool hop per packet. Legs keep their own
/// ports and every check of the leg's receive path (source policy, payload type, sequence). New legs go to the thread
/// with the fewest sockets (both of a leg's sockets on one thread).
/// </summary>
internal sealed unsafe class RtpReceiveThreads : IDisposable
{
    /// <summary>Longest wait with nothing readable, so a stop is noticed promptly.</summary>
    private const int IdleWaitMilliseconds = 200;

    /// <summary>Datagrams read from one socket per wake-up before the others get their turn (epoll is level-triggered).</summary>
    private const int MaxDatagramsPerTurn = 16;

    private const int MaxEvents = 256;

    private readonly ReceiveThread[] threads;
    private readonly int maxDatagramSize;
    private readonly ConcurrentDictionary<ulong, Registration> registrations = new();
    private long nextId;
    private int disposed;

    public RtpReceiveThreads(int count, int maxDatagramSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        this.maxDatagramSize = maxDatagramSize;
        threads = new ReceiveThread[count];
        for (var i = 0; i < count; i++)
        {
            threads[i] = new ReceiveThread(this, i);
        }
    }

    /// <summary>Sockets being received, over all threads.</summary>
    public int SocketCount => registrations.Count;

    /// <summary>The thread with the fewest sockets: a leg puts its RTP and RTCP sockets on it.</summary>
    public ReceiveThread LeastLoaded() => threads.MinBy(t => Volatile.Read(ref t.SocketCount))!;

    /// <summary>
    /// Receives <paramref name="socket"/>'s datagrams for <paramref name="leg"/> (RTP or RTCP) until
    /// <see cref="Registration.Unregister"/>; its <see cref="Registration.Completion"/> completes then.
    /// </summary>
    public Registration Register(MediaLeg leg, Socket socket, bool rtcp, ReceiveThread thread)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref disposed) != 0, this);
        var registration = new Registration(this, thread, (ulong)Interlocked.Increment(ref nextId), leg, socket, rtcp);
        registrations[registration.Id] = registration;
        var error = LinuxEpoll.Control(thread.Epoll, LinuxEpoll.CtlAdd, registration.Fd, registration.Id);
        if (error != 0)
        {
            registrations.TryRemove(registration.Id, out _);
            registration.Release();
            throw new SocketException(error);
        }

        Interlocked.Increment(ref thread.SocketCount);
        return registration;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        foreach (var registration in registrations.Values)
        {
            registration.Unregister();
        }

        foreach (var thread in threads)
        {
            thread.Stop();
        }
    }

    /// <summary>One socket in one thread's epoll set. The socket's handle is held until unregistered, so its fd is never reused under us.</summary>
    internal sealed class Registration
    {
        private readonly RtpReceiveThreads owner;
        private readonly ReceiveThread thread;
        private readonly Lock gate = new();
        private readonly TaskCompletionSource done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SafeHandle handle;
        private bool removed;

        public Registration(RtpReceiveThreads owner, ReceiveThread thread, ulong id, MediaLeg leg, Socket socket, bool rtcp)
        {
            this.owner = owner;
            this.thread = thread;
            Id = id;
            Leg = leg;
            Rtcp = rtcp;
            From = new SocketAddress(socket.AddressFamily);
            handle = socket.SafeHandle;
            var added = false;
            handle.DangerousAddRef(ref added);
            Fd = (int)handle.DangerousGetHandle();
        }

        public ulong Id { get; }

        public int Fd { get; }

        public MediaLeg Leg { get; }

        public bool Rtcp { get; }

        /// <summary>Reused for every datagram of this socket: the leg copies what it keeps.</summary>
        public SocketAddress From { get; }

        /// <summary>Completes once the socket is out of the epoll set and no datagram of it is being handled.</summary>
        public Task Completion => done.Task;

        /// <summary>Stops receiving: out of the epoll set, and after any datagram being handled now.</summary>
        public void Unregister()
        {
            lock (gate)
            {
                if (removed)
                {
                    return;
                }

                removed = true;
            }

            // EBADF/ENOENT (the set is gone with a stopping thread) leave nothing to remove.
            _ = LinuxEpoll.Control(thread.Epoll, LinuxEpoll.CtlDel, Fd, Id);
            owner.registrations.TryRemove(Id, out _);
            Interlocked.Decrement(ref thread.SocketCount);
            Release();
            done.TrySetResult();
        }

        internal void Release() => handle.DangerousRelease();

        /// <summary>Reads what is waiting (up to <see cref="MaxDatagramsPerTurn"/>) and hands it to the leg.</summary>
        public void Drain(byte[] buffer, int maxDatagramSize)
        {
            lock (gate)
            {
                if (removed)
                {
                    return;
                }

                var address = From.Buffer.Span;
                for (var i = 0; i < MaxDatagramsPerTurn; i++)
                {
                    var received = LinuxEpoll.ReceiveFrom(Fd, buffer, address, out var addressLength);
                    if (received < 0)
                    {
                        // EAGAIN: drained. Anything else (an ICMP error for an earlier send) is per datagram: stop this turn.
                        return;
                    }

                    From.Size = addressLength;
                    try
                    {
                        if (received > maxDatagramSize)
                        {
                            if (!Rtcp)
                            {
                                Leg.CountMalformed();
                            }
                        }
                        else if (Rtcp)
                        {
                            Leg.ProcessRtcp(buffer.AsSpan(0, received), From);
                        }
                        else
                        {
                            Leg.ProcessRtp(buffer.AsSpan(0, received), From);
                        }
                    }
                    catch (Exception exception)
                    {
                        Leg.ReceiveFailed(exception);
                    }
                }
            }
        }
    }

    internal sealed class ReceiveThread
    {
        private readonly RtpReceiveThreads owner;
        private readonly Thread thread;
        private volatile bool stopping;

        /// <summary>Sockets in this thread's set (for spreading new legs).</summary>
        public int SocketCount;

        public ReceiveThread(RtpReceiveThreads owner, int index)
        {
            this.owner = owner;
            Epoll = LinuxEpoll.Create();
            thread = new Thread(Run) { IsBackground = true, Name = $"talko-rtp-recv-{index}", Priority = ThreadPriority.AboveNormal };
            thread.Start();
        }

        public int Epoll { get; }

        public void Stop()
        {
            stopping = true;
            thread.Join(TimeSpan.FromSeconds(5));
            LinuxEpoll.Close(Epoll);
        }

        private void Run()
        {
            // One byte more than the largest datagram, so an oversized one is told from one that just fits.
            var buffer = new byte[owner.maxDatagramSize + 1];
            var events = (byte*)NativeMemory.Alloc((nuint)(MaxEvents * LinuxEpoll.EventSize));
            try
            {
                while (!stopping)
                {
                    var count = LinuxEpoll.Wait(Epoll, events, MaxEvents, IdleWaitMilliseconds);
                    for (var i = 0; i < count; i++)
                    {
                        if (owner.registrations.TryGetValue(LinuxEpoll.EventData(events, i), out var registration))
                        {
                            registration.Drain(buffer, owner.maxDatagramSize);
                        }
                    }
                }
            }
            finally
            {
                NativeMemory.Free(events);
            }
        }
    }
}
