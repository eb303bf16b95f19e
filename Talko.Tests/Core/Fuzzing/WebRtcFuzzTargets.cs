using System.Diagnostics;
using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Media.WebRtc.Demux;
using Talko.Core.Media.WebRtc.Dtls;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Media.WebRtc.Srtp;
using Talko.Core.Media.WebRtc.Stun;
using Talko.Tests.Core.Media.WebRtc.Dtls;

namespace Talko.Tests.Core.Fuzzing;

/// <summary>
/// Mutated WebRTC transport input: STUN through the parser and the ICE-lite responder (on a fake clock that moves),
/// SRTP and SRTCP through the unprotect path of both profiles, and DTLS datagrams through the record intake and a
/// live handshake whose client flights are damaged in flight. A failure is an exception out of Talko's code, or a
/// handshake that does not end by its timeout.
/// </summary>
internal static class WebRtcFuzzTargets
{
    private const int MaxSamples = 5;
    private static readonly IPEndPoint Peer = new(IPAddress.Parse("192.0.2.10"), 50000);

    public static FuzzReport Stun(TimeSpan duration, int seed)
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var local = new IceCredentials("srvr", "serverPassword0123456789");
        using var responder = new IceLiteResponder(local, "brws", time);
        var seeds = FuzzSeeds.Stun();
        var response = new byte[IceLiteResponder.MaxResponseLength];
        return Run("STUN parsing + ICE-lite responder", duration, seed, seeds, (mutator, input) =>
        {
            if (StunMessage.TryParse(input, out var message) == StunParseResult.Ok)
            {
                message.VerifyIntegrity(local.PasswordBytes.Span);
                message.TryGetXorMappedAddress(out _);
                for (var i = 0; i < Math.Min(message.UnknownCount, 4); i++)
                {
                    message.UnknownType(i);
                }
            }

            WebRtcDemultiplexer.Classify(input);
            var from = mutator.Random.Next(4) == 0 ? new IPEndPoint(IPAddress.Parse("203.0.113.1"), mutator.Random.Next(1, 65536)) : Peer;
            responder.Handle(input, from, response, out var length);
            if (length > 0 && StunMessage.TryParse(response.AsSpan(0, length), out _) != StunParseResult.Ok)
            {
                throw new InvalidOperationException("the responder wrote a response its own parser refuses");
            }

            if (mutator.Random.Next(64) == 0)
            {
                time.Advance(TimeSpan.FromSeconds(mutator.Random.Next(10)));
            }
        });
    }

    public static FuzzReport Srtp(TimeSpan duration, int seed)
    {
        var key = Enumerable.Range(0, 16).Select(i => (byte)(i * 3)).ToArray();
        var contexts = new Dictionary<SrtpProfile, SrtpContext>();
        var seeds = new List<byte[]>();
        foreach (var profile in new[] { SrtpProfile.AesCm128HmacSha1_80, SrtpProfile.AeadAes128Gcm })
        {
            var salt = new byte[profile.MasterSaltLength()];
            using var sender = new SrtpContext(profile, key, salt);
            contexts[profile] = new SrtpContext(profile, key, salt);
            foreach (var rtp in FuzzSeeds.Rtp())
            {
                var buffer = new byte[rtp.Length + 16];
                rtp.CopyTo(buffer, 0);
                if (sender.ProtectRtp(buffer, rtp.Length, out var length) == SrtpResult.Ok)
                {
                    seeds.Add(buffer[..length]);
                }
            }

            foreach (var rtcp in FuzzSeeds.Rtcp())
            {
                var buffer = new byte[rtcp.Length + 20];
                rtcp.CopyTo(buffer, 0);
                if (sender.ProtectRtcp(buffer, rtcp.Length, out var length) == SrtpResult.Ok)
                {
                    seeds.Add(buffer[..length]);
                }
            }
        }

        try
        {
            return Run("SRTP/SRTCP unprotect (AES-CM and AES-GCM)", duration, seed, seeds, (mutator, input) =>
            {
                var receiver = contexts[mutator.Random.Next(2) == 0 ? SrtpProfile.AesCm128HmacSha1_80 : SrtpProfile.AeadAes128Gcm];
                if (WebRtcDemultiplexer.Classify(input) == WebRtcPacketKind.Rtcp)
                {
                    receiver.UnprotectRtcp(input, out _);
                }
                else
                {
                    receiver.UnprotectRtp(input, out _);
                }
            });
        }
        finally
        {
            foreach (var context in contexts.Values)
            {
                context.Dispose();
            }
        }
    }

    /// <summary>
    /// Records and the handshake: each round runs a real client against the server role with every client datagram
    /// damaged at random (and stranger datagrams mixed in); the server must end with keys or a DtlsHandshakeException.
    /// </summary>
    public static async Task<FuzzReport> DtlsAsync(TimeSpan duration, int seed)
    {
        var server = DtlsCertificate.Create("fuzz-server", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var client = DtlsCertificate.Create("fuzz-client", TimeSpan.FromDays(1), DateTimeOffset.UtcNow);
        var mutator = new Mutator(seed);
        var failures = new List<string>();
        var memoryBefore = FuzzSettings.ManagedMemory();
        var clock = Stopwatch.StartNew();
        long inputs = 0;
        var gate = new object();
        var captured = new List<byte[]>();
        do
        {
            DtlsPacketChannel? serverChannel = null;
            DtlsPacketChannel? clientChannel = null;
            serverChannel = new DtlsPacketChannel(s => s.Equals(DtlsPair.ClientAddress), d => clientChannel!.Offer(d, DtlsPair.ServerAddress));
            clientChannel = new DtlsPacketChannel(s => s.Equals(DtlsPair.ServerAddress), datagram =>
            {
                var burst = new List<byte[]>();
                lock (gate)
                {
                    // Most flights go through intact so the handshake reaches its later states; damaged copies of
                    // earlier client datagrams follow them, hitting the record layer in whatever state it is in.
                    var clean = datagram.ToArray();
                    burst.Add(mutator.Random.Next(4) == 0 ? mutator.MutateBytes(clean) : clean);
                    for (var extra = mutator.Random.Next(8); extra > 0 && captured.Count > 0; extra--)
                    {
                        burst.Add(mutator.MutateBytes(captured[mutator.Random.Next(captured.Count)]));
                    }

                    if (captured.Count < 64)
                    {
                        captured.Add(clean);
                    }

                    inputs += burst.Count;
                    serverChannel.Offer(burst[^1], new IPEndPoint(IPAddress.Parse("203.0.113.5"), 1));
                }

                foreach (var sent in burst)
                {
                    try
                    {
                        DtlsRecordCheck.IsWellFormed(sent);
                        serverChannel.Offer(sent, DtlsPair.ClientAddress);
                    }
                    catch (Exception exception)
                    {
                        lock (failures)
                        {
                            failures.Add(failures.Count < MaxSamples ? FuzzSettings.Keep(sent, inputs, exception) : $"offer: {exception.GetType().Name}");
                        }
                    }
                }
            });

            var accepting = DtlsSrtpHandshake.AcceptAsync(server, client.Fingerprint, serverChannel, TimeSpan.FromSeconds(1));
            var connecting = DtlsSrtpHandshake.ConnectAsync(client, server.Fingerprint, clientChannel, TimeSpan.FromSeconds(1));
            try
            {
                using var session = await accepting.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (DtlsHandshakeException)
            {
                // the expected end of a damaged handshake
            }
            catch (Exception exception)
            {
                failures.Add($"the server role: {exception.GetType().Name}: {exception.Message}\n{exception.StackTrace}");
            }

            try
            {
                using var session = await connecting.WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (Exception exception) when (exception is DtlsHandshakeException)
            {
                // the client sees the same damage from the other side
            }
            catch (Exception exception)
            {
                failures.Add($"the client role: {exception.GetType().Name}: {exception.Message}");
            }
        }
        while (clock.Elapsed < duration);

        return new FuzzReport("DTLS record intake + handshake (damaged client flights)", seed, inputs, clock.Elapsed, failures, memoryBefore, FuzzSettings.ManagedMemory());
    }

    private static FuzzReport Run(string target, TimeSpan duration, int seed, IReadOnlyList<byte[]> seeds, Action<Mutator, byte[]> feed)
    {
        var mutator = new Mutator(seed);
        var failures = new List<string>();
        var memoryBefore = FuzzSettings.ManagedMemory();
        var clock = Stopwatch.StartNew();
        long inputs = 0;
        while (clock.Elapsed < duration)
        {
            var input = mutator.MutateBytes(seeds[mutator.Random.Next(seeds.Count)]);
            if (input.Length > 1500)
            {
                input = input[..1500]; // the socket loop's datagram limit
            }

            try
            {
                feed(mutator, input);
            }
            catch (Exception exception)
            {
                failures.Add(failures.Count < MaxSamples ? FuzzSettings.Keep(input, inputs, exception) : $"input {inputs}: {exception.GetType().Name}");
            }

            inputs++;
        }

        return new FuzzReport(target, seed, inputs, clock.Elapsed, failures, memoryBefore, FuzzSettings.ManagedMemory());
    }
}
