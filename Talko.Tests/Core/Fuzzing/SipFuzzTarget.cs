using System.Diagnostics;
using Talko.Core.Sip.Messages;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Fuzzing;

/// <summary>
/// Mutated SIP through the parser, the stream framer and the whole engine (transport, transactions, user agent,
/// registrar, conference handler) over fake UDP and TCP channels with a driven clock. A failure is an exception out
/// of any of them, or one the engine caught and logged: the transport promises that nothing malformed escapes.
/// </summary>
internal static class SipFuzzTarget
{
    private const int MaxSamples = 5;

    public static async Task<FuzzReport> RunAsync(TimeSpan duration, int seed)
    {
        using var logs = new LogCapture();
        await using var udp = await SipTestHost.StartAsync(loggers: logs);
        await using var tcp = await SipTestHost.StartAsync(protocol: SipTransportProtocol.Tcp, loggers: logs);
        var seeds = FuzzSeeds.Sip();
        var mutator = new Mutator(seed);
        var parser = new SipParserOptions();
        var failures = new List<string>();

        foreach (var input in seeds)
        {
            await udp.Channel.InjectAsync(input); // warm-up: every code path the seeds reach
        }

        Settle(udp, tcp);
        var memoryBefore = FuzzSettings.ManagedMemory();

        var clock = Stopwatch.StartNew();
        long inputs = 0;
        while (clock.Elapsed < duration)
        {
            var seedInput = seeds[mutator.Random.Next(seeds.Count)];
            var input = mutator.Random.Next(20) == 0 ? seedInput : mutator.MutateSip(seedInput, seeds);
            var host = inputs % 2 == 0 ? udp : tcp;
            try
            {
                SipMessageParser.Parse(input, parser, isDatagram: host == udp);
                var framer = new SipStreamFramer(parser);
                framer.Append(input);
                while (framer.TryTake(out var message))
                {
                    SipMessageParser.Parse(message, parser, isDatagram: false);
                }

                await host.Channel.InjectAsync(input);
            }
            catch (Exception exception)
            {
                failures.Add(failures.Count < MaxSamples ? FuzzSettings.Keep(input, inputs, exception) : $"input {inputs}: {exception.GetType().Name}");
            }

            if (++inputs % 256 == 0)
            {
                Settle(udp, tcp);
            }
        }

        var elapsed = clock.Elapsed;
        Settle(udp, tcp);
        udp.Time.Advance(TimeSpan.FromHours(2)); // every transaction, nonce and binding has expired
        tcp.Time.Advance(TimeSpan.FromHours(2));
        var memoryAfter = FuzzSettings.ManagedMemory();
        failures.AddRange(logs.Entries.Where(e => e.Exception is not null).Take(MaxSamples).Select(e => $"logged: {e.Message}: {e.Exception}"));
        return new FuzzReport("SIP parser + transactions", seed, inputs, elapsed, failures, memoryBefore, memoryAfter);
    }

    /// <summary>Lets transaction timers run out (Timer J/H are 32 s) and forgets what the fake channels recorded.</summary>
    private static void Settle(SipTestHost udp, SipTestHost tcp)
    {
        foreach (var host in new[] { udp, tcp })
        {
            host.Time.Advance(TimeSpan.FromSeconds(40));
            host.Channel.Clear();
        }
    }
}
