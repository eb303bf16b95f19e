using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Talko.Core.Sip;
using Talko.Core.Sip.Registrar;

namespace Talko.Bench.Sip;

/// <summary>
/// The engine's cost per REGISTER with digest (REGISTER, 401, REGISTER with credentials, 200), in process on one
/// thread, without sockets: CPU microseconds and bytes allocated per REGISTER. Bytes allocated do not move with the
/// machine's load, so they compare two builds even on a busy machine; time does only on a quiet one. The client's
/// side (building requests, the digest) is timed alone and taken off. With --allocations a last run samples which types
/// the bytes go to; with --stages the bytes of parsing, writing and each round trip are printed.
/// </summary>
internal static partial class RegisterCostBenchmark
{
    private const string User = "bench";
    private const string Password = "bench-pw";
    private const string Realm = "talko.bench";

    /// <summary>Numbers the REGISTERs across runs, so every one is a new transaction with a Call-ID of its own.</summary>
    private static int next;

    public static async Task<int> RunAsync(string[] args)
    {
        var registers = BenchArguments.Int(args, "--registers", 100_000);
        var runs = BenchArguments.Int(args, "--runs", 5);
        var sampleAllocations = args.Contains("--allocations");
        var options = new SipEngineOptions { Realm = Realm, MaxCompletedTransactions = 500_000 };
        options.Digest.MaxFailuresPerSource = int.MaxValue;
        var credentials = new InMemorySipCredentialStore();
        credentials.Add(SipCredential.FromSecret(User, "bench-user", "bench-device", Realm, Password));
        var channel = new InProcessChannel();
        await using var engine = new SipEngine(options, credentials, new InMemorySipBindingStore(TimeProvider.System),
            new NoOpMediaEngine(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 40_000)), null, null, null, () => [channel]);
        await engine.StartAsync();

        Console.WriteLine($"REGISTER with MD5 digest in process, one thread, {registers:N0} per run, {runs} runs (after one warm-up run)");
        await RunOnceAsync(channel, registers, measureClientOnly: false);
        var client = Measure(() => RunOnceAsync(channel, registers, measureClientOnly: true), registers, runs);
        var total = Measure(() => RunOnceAsync(channel, registers, measureClientOnly: false), registers, runs);
        Console.WriteLine($"  client side alone: {client.Cpu:F2} us CPU, {client.Bytes:F0} bytes per REGISTER (median of runs)");
        Console.WriteLine($"  engine:            {total.Cpu - client.Cpu:F2} us CPU, {total.Bytes - client.Bytes:F0} bytes allocated per REGISTER (median of runs; client taken off)");
        // Bytes allocated by each stage of one REGISTER on this thread: where to look first.
        if (args.Contains("--stages"))
        {
            var request = Request("probe", 2, "z9hG4bK-probe", Authorization("0123456789abcdef0123456789abcdef0123456789abcdef012345"));
            var parserOptions = new Talko.Core.Sip.Messages.SipParserOptions();
            Talko.Core.Sip.Messages.SipMessageParser.Parse(request, parserOptions);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var parsed = Talko.Core.Sip.Messages.SipMessageParser.Parse(request, parserOptions);
            Console.WriteLine($"  stage: parse REGISTER with Authorization {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
            before = GC.GetAllocatedBytesForCurrentThread();
            var bytes = Talko.Core.Sip.Messages.SipMessageWriter.ToBytes(parsed.Message!);
            Console.WriteLine($"  stage: write it back {GC.GetAllocatedBytesForCurrentThread() - before} bytes ({bytes.Length} bytes long)");
            var first = Request("probe", 1, "z9hG4bK-probe1", null);
            before = GC.GetAllocatedBytesForCurrentThread();
            Talko.Core.Sip.Messages.SipMessageParser.Parse(first, parserOptions);
            Console.WriteLine($"  stage: parse REGISTER without {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
            before = GC.GetAllocatedBytesForCurrentThread();
            await channel.ReceiveAsync(first);
            Console.WriteLine($"  stage: engine, first REGISTER to 401 {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
            var nonce = NonceIn(channel.LastSent)!;
            var second = Request("probe", 2, "z9hG4bK-probe2", Authorization(nonce));
            before = GC.GetAllocatedBytesForCurrentThread();
            await channel.ReceiveAsync(second);
            Console.WriteLine($"  stage: engine, second REGISTER to 200 {GC.GetAllocatedBytesForCurrentThread() - before} bytes");
        }

        if (sampleAllocations)
        {
            // One more run with the runtime's allocation sampling on (it slows the run, so it is not timed).
            using var sampler = new AllocationSampler();
            await RunOnceAsync(channel, registers, measureClientOnly: false);
            Console.WriteLine("  allocated bytes by type (sampled, engine and client together):");
            foreach (var line in sampler.Top(20))
            {
                Console.WriteLine($"    {line}");
            }
        }
        return 0;
    }

    private static (double Cpu, double Bytes) Measure(Func<Task> run, int registers, int runs)
    {
        var cpu = new List<double>();
        var bytes = new List<double>();
        for (var i = 0; i < runs; i++)
        {
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            var bytesBefore = GC.GetTotalAllocatedBytes(precise: true);
            run().GetAwaiter().GetResult();
            cpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMicroseconds / registers);
            bytes.Add((double)(GC.GetTotalAllocatedBytes(precise: true) - bytesBefore) / registers);
        }

        return (cpu.Order().ElementAt(runs / 2), bytes.Order().ElementAt(runs / 2));
    }

    private static async Task RunOnceAsync(InProcessChannel channel, int registers, bool measureClientOnly)
    {
        var start = next;
        next += registers;
        // The client-only pass digests against a fixed nonce the engine's format never produces: same work, no engine.
        const string fixedNonce = "0123456789abcdef0123456789abcdef0123456789abcdef012345";
        for (var i = start; i < start + registers; i++)
        {
            var callId = $"bench-{i}";
            var first = Request(callId, 1, $"z9hG4bK-{i}-1", null);
            string nonce;
            if (measureClientOnly)
            {
                nonce = fixedNonce;
            }
            else
            {
                await channel.ReceiveAsync(first);
                nonce = NonceIn(channel.LastSent) ?? throw new InvalidOperationException("no MD5 challenge: " + Encoding.UTF8.GetString(channel.LastSent));
            }

            var second = Request(callId, 2, $"z9hG4bK-{i}-2", Authorization(nonce));
            if (!measureClientOnly)
            {
                await channel.ReceiveAsync(second);
                if (!channel.LastSent.AsSpan().StartsWith("SIP/2.0 200"u8))
                {
                    throw new InvalidOperationException("not 200: " + Encoding.UTF8.GetString(channel.LastSent));
                }
            }
        }
    }

    private static byte[] Request(string callId, int cseq, string branch, string? authorization) => Encoding.UTF8.GetBytes(
        $"REGISTER sip:127.0.0.1:5060 SIP/2.0\r\n" +
        $"Via: SIP/2.0/UDP 127.0.0.1:5062;branch={branch};rport\r\n" +
        $"From: <sip:{User}@127.0.0.1>;tag={callId}\r\n" +
        $"To: <sip:{User}@127.0.0.1>\r\n" +
        $"Call-ID: {callId}\r\n" +
        $"CSeq: {cseq.ToString(CultureInfo.InvariantCulture)} REGISTER\r\n" +
        $"Contact: <sip:{User}@127.0.0.1:5062;transport=udp>\r\n" +
        (authorization is null ? "" : $"Authorization: {authorization}\r\n") +
        "Max-Forwards: 70\r\nExpires: 300\r\nUser-Agent: sipp\r\nContent-Length: 0\r\n\r\n");

    private static string Authorization(string nonce)
    {
        const string uri = "sip:127.0.0.1:5060";
        const string cnonce = "0a4f113b";
        var ha1 = Md5Hex($"{User}:{Realm}:{Password}");
        var ha2 = Md5Hex($"REGISTER:{uri}");
        var response = Md5Hex($"{ha1}:{nonce}:00000001:{cnonce}:auth:{ha2}");
        return $"Digest username=\"{User}\",realm=\"{Realm}\",nonce=\"{nonce}\",uri=\"{uri}\",response=\"{response}\",algorithm=MD5,cnonce=\"{cnonce}\",qop=auth,nc=00000001";
    }

    private static string Md5Hex(string text) => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(text)));

    private static string? NonceIn(byte[] response)
    {
        foreach (Match challenge in Md5Challenge().Matches(Encoding.UTF8.GetString(response)))
        {
            return challenge.Groups[1].Value;
        }

        return null;
    }

    [GeneratedRegex("WWW-Authenticate: Digest [^\\r\\n]*?nonce=\"([^\"]+)\"[^\\r\\n]*algorithm=MD5\\b")]
    private static partial Regex Md5Challenge();
}
