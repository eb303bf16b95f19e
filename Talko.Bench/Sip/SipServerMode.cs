using System.Globalization;
using System.Net;
using Talko.Core.Sip;
using Talko.Core.Sip.Registrar;

namespace Talko.Bench.Sip;

/// <summary>
/// Hosts Talko's SIP engine on loopback for scripts/bench-sip.sh: in-memory credentials (one user),
/// in-memory bindings and no-op media. Digest runs with its defaults (MD5 challenge first, which sipp 3.6 answers;
/// ADR 0162). Runs until stdin closes, SIGTERM or --seconds elapse.
/// </summary>
internal static class SipServerMode
{
    public static async Task<int> RunAsync(string[] args)
    {
        var port = BenchArguments.Int(args, "--port", 5070);
        var seconds = BenchArguments.Int(args, "--seconds", 600);
        var username = BenchArguments.String(args, "--user") ?? "bench";
        var password = BenchArguments.String(args, "--password") ?? "bench-pw";
        var realm = BenchArguments.String(args, "--realm") ?? "talko.bench";
        var maxTransactions = BenchArguments.Int(args, "--max-transactions", SipEngineOptions.DefaultMaxTransactions);
        var maxCompleted = BenchArguments.Int(args, "--max-completed-transactions", SipEngineOptions.DefaultMaxCompletedTransactions);

        var options = new SipEngineOptions
        {
            BindAddresses = [IPAddress.Loopback],
            UdpPort = port,
            TcpPort = port,
            Realm = realm,
            MaxTransactions = maxTransactions,
            MaxCompletedTransactions = maxCompleted,
        };
        // The benchmark registers one account from many call-ids at high rates; failures are not expected
        // but a source block would turn one glitch into a run of 403s and hide the real capacity.
        options.Digest.MaxFailuresPerSource = int.MaxValue;

        var credentials = new InMemorySipCredentialStore();
        credentials.Add(SipCredential.FromSecret(username, "bench-user", "bench-device", realm, password));
        var media = new NoOpMediaEngine(new IPEndPoint(IPAddress.Loopback, 40_000));
        await using var engine = new SipEngine(options, credentials, new InMemorySipBindingStore(TimeProvider.System), media);
        await engine.StartAsync();
        Console.WriteLine($"sip-server listening on 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} (udp+tcp), realm {realm}, user {username}, max transactions {maxTransactions.ToString(CultureInfo.InvariantCulture)}, max completed {maxCompleted.ToString(CultureInfo.InvariantCulture)}");

        // A line every 5 s for the script to report: how full the tables got and whether the cap ever answered 503.
        var transactions = engine.UserAgent.Transactions;
        using var stats = new Timer(_ => Console.WriteLine(
            $"stats: live {transactions.ServerCount + transactions.ClientCount}, completed {transactions.CompletedCount}, evicted {transactions.CompletedEvicted}, "
            + $"rejected-503 {transactions.RejectedForCapacity}, rss {Environment.WorkingSet / (1024 * 1024)} MB"), null, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5));

        await ServerModeLifetime.UntilStoppedAsync(seconds);
        return 0;
    }
}
