using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.Rtp;

namespace Talko.Tests.Core.Media.Rtp;

public class RtpPortAllocatorTests
{
    private static int FreeEvenBase()
    {
        // Pick a base in a quiet area and vary it per test run to avoid collisions with parallel tests.
        return 42000 + (2 * Random.Shared.Next(0, 2000));
    }

    [Fact]
    public void PairsAreEvenRtpWithRtcpOnTheNextPort()
    {
        var min = FreeEvenBase();
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = min, MaxPort = min + 9 });
        using var first = allocator.Allocate(IPAddress.Loopback);
        using var second = allocator.Allocate(IPAddress.Loopback);

        foreach (var pair in new[] { first, second })
        {
            Assert.Equal(0, pair.RtpEndPoint.Port % 2);
            Assert.Equal(pair.RtpEndPoint.Port + 1, ((IPEndPoint)pair.Rtcp.LocalEndPoint!).Port);
            Assert.InRange(pair.RtpEndPoint.Port, min, min + 8);
        }

        Assert.NotEqual(first.RtpEndPoint.Port, second.RtpEndPoint.Port);
        Assert.Equal(2, allocator.PairsInUse);
    }

    [Fact]
    public void ExhaustedRangeGivesAClearErrorAndReleasedPairsComeBack()
    {
        var min = FreeEvenBase();
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = min, MaxPort = min + 3 });
        var first = allocator.Allocate(IPAddress.Loopback);
        using var second = allocator.Allocate(IPAddress.Loopback);

        var error = Assert.Throws<RtpPortRangeExhaustedException>(() => allocator.Allocate(IPAddress.Loopback));
        Assert.Contains($"{min}-{min + 3}", error.Message, StringComparison.Ordinal);

        first.Dispose();
        using var third = allocator.Allocate(IPAddress.Loopback);
        Assert.Equal(first.RtpEndPoint.Port, third.RtpEndPoint.Port);
    }

    [Fact]
    public void PortsHeldByOthersAreSkipped()
    {
        var min = FreeEvenBase();
        using var squatter = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        squatter.Bind(new IPEndPoint(IPAddress.Loopback, min + 1)); // the first pair's RTCP port

        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = min, MaxPort = min + 5 });
        using var one = allocator.Allocate(IPAddress.Loopback);
        using var two = allocator.Allocate(IPAddress.Loopback);
        Assert.Equal([min + 2, min + 4], new[] { one.RtpEndPoint.Port, two.RtpEndPoint.Port }.Order());
        Assert.Throws<RtpPortRangeExhaustedException>(() => allocator.Allocate(IPAddress.Loopback));
    }

    /// <summary>Regression (issue 14): pairs came in sequence, so one leg's port told a stranger the next leg's.</summary>
    [Fact]
    public void PairsArePickedAtRandomFromTheRange()
    {
        var min = FreeEvenBase();
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = min, MaxPort = min + 1999 });
        var pairs = Enumerable.Range(0, 10).Select(_ => allocator.Allocate(IPAddress.Loopback)).ToList();
        try
        {
            var ports = pairs.Select(p => p.RtpEndPoint.Port).ToList();
            var steps = ports.Zip(ports.Skip(1), (a, b) => b - a).ToList();
            // In sequence every step would be +2; at random from 1000 pairs nearly none is.
            Assert.True(steps.Count(step => step == 2) <= 2, $"ports came in sequence: {string.Join(", ", ports)}");
            Assert.True(ports.Max() - ports.Min() > 40, $"ports are bunched: {string.Join(", ", ports)}");
        }
        finally
        {
            pairs.ForEach(p => p.Dispose());
        }
    }

    [Fact]
    public void TheLastFreedPairIsNotReusedWhileOthersAreFree()
    {
        var min = FreeEvenBase();
        var allocator = new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = min, MaxPort = min + 5 });
        for (var i = 0; i < 20; i++)
        {
            var first = allocator.Allocate(IPAddress.Loopback);
            var freed = first.RtpEndPoint.Port;
            first.Dispose();
            using var next = allocator.Allocate(IPAddress.Loopback);
            Assert.NotEqual(freed, next.RtpEndPoint.Port);
        }
    }

    [Theory]
    [InlineData(20001, 20010)]
    [InlineData(20000, 20000)]
    [InlineData(80, 100)]
    public void InvalidRangesAreRefused(int min, int max) =>
        Assert.Throws<ArgumentException>(() => new RtpPortAllocator(new RtpPortAllocatorOptions { MinPort = min, MaxPort = max }));
}
