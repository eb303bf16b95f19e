using System.Runtime.InteropServices;

namespace Talko.Core.Media.Engine;

/// <summary>
/// The few Linux system calls <see cref="RtpReceiveThreads"/> needs: epoll over many legs' sockets and a non-blocking
/// recvfrom straight into a <see cref="System.Net.SocketAddress"/>'s buffer. .NET exposes neither a per-socket "complete
/// inline" switch nor epoll itself, and its per-socket async receive costs a thread-pool hop per packet (ADR 0920).
/// </summary>
internal static unsafe partial class LinuxEpoll
{
    public const int EpollIn = 0x001;
    public const int CtlAdd = 1;
    public const int CtlDel = 2;
    public const int MsgDontWait = 0x40;
    public const int ErrorInterrupted = 4;
    public const int ErrorWouldBlock = 11;
    private const int CloseOnExec = 0x80000;

    /// <summary>
    /// Linux on x64 (where struct epoll_event is packed: 12 bytes) or arm64 (natural alignment: 16 bytes); anything
    /// else receives through .NET's async sockets.
    /// </summary>
    public static bool IsSupported => OperatingSystem.IsLinux()
        && RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.Arm64;

    /// <summary>Bytes per struct epoll_event, and where its 64-bit data field starts.</summary>
    public static int EventSize => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    private static int DataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    public static int Create()
    {
        var fd = epoll_create1(CloseOnExec);
        return fd >= 0 ? fd : throw new InvalidOperationException($"epoll_create1 failed: errno {Marshal.GetLastPInvokeError()}");
    }

    /// <summary>Adds (level-triggered, readable) or removes <paramref name="fd"/>; returns errno, 0 on success.</summary>
    public static int Control(int epoll, int operation, int fd, ulong data)
    {
        var buffer = stackalloc byte[16];
        *(uint*)buffer = EpollIn;
        *(ulong*)(buffer + DataOffset) = data;
        return epoll_ctl(epoll, operation, fd, buffer) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>Waits for ready sockets; returns how many events were written to <paramref name="events"/> (negative: errno).</summary>
    public static int Wait(int epoll, byte* events, int maxEvents, int timeoutMilliseconds)
    {
        var count = epoll_wait(epoll, events, maxEvents, timeoutMilliseconds);
        return count >= 0 ? count : -Marshal.GetLastPInvokeError();
    }

    public static ulong EventData(byte* events, int index) => *(ulong*)(events + (index * EventSize) + DataOffset);

    /// <summary>One datagram without blocking: its length, or a negative errno (EAGAIN when none is waiting).</summary>
    public static int ReceiveFrom(int fd, Span<byte> buffer, Span<byte> address, out int addressLength)
    {
        fixed (byte* data = buffer)
        fixed (byte* from = address)
        {
            var length = (uint)address.Length;
            var received = recvfrom(fd, data, (nuint)buffer.Length, MsgDontWait, from, &length);
            addressLength = (int)length;
            return received >= 0 ? (int)received : -Marshal.GetLastPInvokeError();
        }
    }

    public static void Close(int fd) => close(fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_create1(int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_ctl(int epfd, int op, int fd, byte* @event);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport("libc", SetLastError = true)]
    private static partial nint recvfrom(int sockfd, byte* buf, nuint len, int flags, byte* srcAddr, uint* addrlen);

    [LibraryImport("libc")]
    private static partial int close(int fd);
}
