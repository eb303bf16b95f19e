using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Media;
using Talko.Core.Media.Engine;
using Talko.Core.Media.Rtp;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Fuzzing;

/// <summary>
/// Mutated RTP and RTCP through the packet parsers and a live leg's receive path (source policy, sequence state,
/// jitter buffer, decoding, RTCP reports) while the mixer runs. Datagrams are cut at the leg's MaxDatagramSize as
/// its socket loop does. A failure is an exception, or one the engine logged.
/// </summary>
internal static class MediaFuzzTarget
{
    private const int MaxSamples = 5;

    public static async Task<FuzzReport> RunAsync(TimeSpan duration, int seed)
    {
        using var logs = new LogCapture();
        var basePort = TestRtpPorts.Block(20);
        var options = new MediaEngineOptions
        {
            BindAddress = "127.0.0.1",
            RtpPorts = new RtpPortAllocatorOptions { MinPort = basePort, MaxPort = basePort + 19 },
            Recording = new() { Directory = null },
        };
        await using var engine = new ConferenceMediaEngine(Options.Create(options), TimeProvider.System, logs);
        var signalled = new IPEndPoint(IPAddress.Loopback, 9); // discard: the mix goes nowhere
        await using var leg = await engine.AddLegAsync(new MediaLegOptions("fuzz", LegId.Inbound("leg"), signalled, AudioCodec.Pcmu, 101));
        var media = engine.FindLeg("fuzz", LegId.Inbound("leg"))!;
        var fromPeer = signalled.Serialize();
        var fromStranger = new IPEndPoint(IPAddress.Parse("127.0.0.3"), 5004).Serialize();

        var rtp = FuzzSeeds.Rtp();
        var rtcp = FuzzSeeds.Rtcp();
        var mutator = new Mutator(seed);
        var failures = new List<string>();
        var memoryBefore = FuzzSettings.ManagedMemory();
        var clock = Stopwatch.StartNew();
        long inputs = 0;
        while (clock.Elapsed < duration)
        {
            var isRtp = mutator.Random.Next(3) != 0;
            var seeds = isRtp ? rtp : rtcp;
            var input = mutator.MutateBytes(seeds[mutator.Random.Next(seeds.Count)]);
            if (input.Length > options.MaxDatagramSize)
            {
                input = input[..options.MaxDatagramSize];
            }

            var from = mutator.Random.Next(8) == 0 ? fromStranger : fromPeer;
            try
            {
                if (RtpPacket.TryParse(input, out var header) == RtpParseResult.Ok)
                {
                    TelephoneEvent.TryParse(input.AsSpan(header.PayloadOffset, header.PayloadLength), out _);
                }

                RtcpPacket.TryParse(input, out _);
                if (isRtp)
                {
                    media.ProcessRtp(input, from);
                }
                else
                {
                    media.ProcessRtcp(input, from);
                }
            }
            catch (Exception exception)
            {
                failures.Add(failures.Count < MaxSamples ? FuzzSettings.Keep(input, inputs, exception) : $"input {inputs}: {exception.GetType().Name}");
            }

            inputs++;
        }

        var elapsed = clock.Elapsed;
        var memoryAfter = FuzzSettings.ManagedMemory();
        failures.AddRange(logs.Entries.Where(e => e.Exception is not null).Take(MaxSamples).Select(e => $"logged: {e.Message}: {e.Exception}"));
        return new FuzzReport("RTP/RTCP parsing + leg receive path", seed, inputs, elapsed, failures, memoryBefore, memoryAfter);
    }
}
