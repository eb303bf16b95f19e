using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Talko.Bench.Mixing;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Media.WebRtc.Srtp;
using Talko.Core.Media.WebRtc.Stun;

namespace Talko.Bench.WebRtc;

/// <summary>
/// What the WebRTC transport costs per packet and per leg: SRTP protect and unprotect of one 20 ms audio packet for
/// each profile (with the bytes allocated per packet), one ICE connectivity check answered, and a DTLS-SRTP
/// handshake between Talko's two roles in memory. Prints figures for docs/benchmarks.md.
/// </summary>
internal static class WebRtcBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var packets = BenchArguments.Int(args, "--packets", 2_000_000);
        var checks = BenchArguments.Int(args, "--checks", 200_000);
        var handshakes = BenchArguments.Int(args, "--handshakes", 20);
        var payload = BenchArguments.Int(args, "--payload", 160);
        Console.WriteLine($"WebRTC transport: {Environment.ProcessorCount} logical cores, load average {MixerBenchmark.LoadAverage()}, {payload}-byte payloads");

        foreach (var profile in new[] { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm })
        {
            var (protect, unprotect, allocated) = Srtp(profile, packets, payload);
            // A leg sends one packet and receives one every 20 ms: 50 protects and 50 unprotects a second.
            var legsPerCore = 1e9 / (50 * (protect + unprotect));
            Console.WriteLine($"{profile,-20} protect {protect,6:F0} ns, unprotect {unprotect,6:F0} ns per packet, {allocated:F2} bytes allocated per packet; SRTP alone caps one core at {legsPerCore:N0} legs");
        }

        Console.WriteLine($"ICE check answered (parse, integrity, response with integrity and fingerprint): {Check(checks),6:F0} ns");
        var times = new List<double>();
        for (var i = 0; i < handshakes; i++)
        {
            times.Add(await HandshakeAsync());
        }

        times.Sort();
        Console.WriteLine($"DTLS-SRTP handshake in memory (both roles in this process, {handshakes} runs): median {times[times.Count / 2]:F1} ms, p95 {times[(int)(times.Count * 0.95)]:F1} ms");
        return 0;
    }

    private static (double Protect, double Unprotect, double AllocatedPerPacket) Srtp(SrtpProfile profile, int packets, int payload)
    {
        var key = new byte[16];
        var salt = new byte[profile.MasterSaltLength()];
        Random.Shared.NextBytes(key);
        using var sender = new SrtpContext(profile, key, salt);
        using var receiver = new SrtpContext(profile, key, salt);
        var plain = new byte[12 + payload];
        plain[0] = 0x80;
        plain[1] = 111;
        BinaryPrimitives.WriteUInt32BigEndian(plain.AsSpan(8), 0x1234);
        var wire = new byte[packets < 1 ? 1 : Math.Min(packets, 1 << 16)][];
        var buffer = new byte[plain.Length + 16];

        // The packets the receivers will read, protected once outside the timing.
        using (var setup = new SrtpContext(profile, key, salt))
        {
            for (var i = 0; i < wire.Length; i++)
            {
                plain.CopyTo(buffer, 0);
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)i);
                setup.ProtectRtp(buffer, plain.Length, out var length);
                wire[i] = buffer[..length];
            }
        }

        // Protect: each packet's plain form is copied in first (as the mixer's output would be written).
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < packets; i++)
        {
            plain.CopyTo(buffer, 0);
            BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)i);
            sender.ProtectRtp(buffer, plain.Length, out _);
        }

        var protect = clock.Elapsed.TotalNanoseconds / packets;

        // Unprotect: a fresh receiver per pass over the stored packets, so none counts as a replay.
        double unprotectTotal = 0;
        long unprotected = 0;
        var copy = new byte[buffer.Length];
        while (unprotected < packets)
        {
            using var pass = new SrtpContext(profile, key, salt);
            var count = (int)Math.Min(wire.Length, packets - unprotected);
            clock.Restart();
            for (var i = 0; i < count; i++)
            {
                var packet = wire[i];
                packet.CopyTo(copy, 0);
                if (pass.UnprotectRtp(copy.AsSpan(0, packet.Length), out _) != SrtpResult.Ok)
                {
                    throw new InvalidOperationException("a protected packet did not unprotect");
                }
            }

            unprotectTotal += clock.Elapsed.TotalNanoseconds;
            unprotected += count;
        }

        // Includes one receiver context per 65,536 packets (its keys and tables), the only allocation left.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        return (protect, unprotectTotal / packets, allocated / (2.0 * packets));
    }

    private static double Check(int checks)
    {
        var local = IceCredentials.Generate();
        using var responder = new IceLiteResponder(local, "brws", TimeProvider.System);
        var request = new byte[256];
        var writer = new StunMessageWriter(request, StunConstants.BindingMethod, StunClass.Request, new byte[12]);
        writer.AddUsername($"{local.Ufrag}:brws");
        writer.AddPriority(1853817087);
        writer.AddIceControlling(42);
        writer.AddMessageIntegrity(local.PasswordBytes.Span);
        writer.AddFingerprint();
        var check = request[..writer.Length];
        var response = new byte[IceLiteResponder.MaxResponseLength];
        var from = new IPEndPoint(IPAddress.Loopback, 50000);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < checks; i++)
        {
            if (responder.Handle(check, from, response, out _) != IceCheckResult.Answered)
            {
                throw new InvalidOperationException("the check was not answered");
            }
        }

        return clock.Elapsed.TotalNanoseconds / checks;
    }

    private static async Task<double> HandshakeAsync()
    {
        var server = DtlsCertificate.Create("bench-server", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var client = DtlsCertificate.Create("bench-client", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var serverAddress = new IPEndPoint(IPAddress.Loopback, 1);
        var clientAddress = new IPEndPoint(IPAddress.Loopback, 2);
        DtlsPacketChannel? clientChannel = null;
        var serverChannel = new DtlsPacketChannel(s => s.Equals(clientAddress), d => clientChannel!.Offer(d, serverAddress));
        clientChannel = new DtlsPacketChannel(s => s.Equals(serverAddress), d => serverChannel.Offer(d, clientAddress));
        var clock = Stopwatch.StartNew();
        var accepting = DtlsSrtpHandshake.AcceptAsync(server, client.Fingerprint, serverChannel, TimeSpan.FromSeconds(30));
        using var connected = await DtlsSrtpHandshake.ConnectAsync(client, server.Fingerprint, clientChannel, TimeSpan.FromSeconds(30));
        using var accepted = await accepting;
        return clock.Elapsed.TotalMilliseconds;
    }
}
