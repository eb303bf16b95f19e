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
        var port = IntOption(args, "--port", 5070);
        var seconds = IntOption(args, "--seconds", 600);
        var username = StringOption(args, "--user") ?? "bench";
        var password = StringOption(args, "--password") ?? "bench-pw";
        var realm = StringOption(args, "--realm") ?? "talko.bench";
        var maxTransactions = IntOption(args, "--max-transactions", SipEngineOptions.DefaultMaxTransactions);
        var maxCompleted = IntOption(args, "--max-completed-transactions", SipEngineOptions.DefaultMaxCompletedTransactions);

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

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
        // A second signal (timeout forwards SIGTERM, the script sends its own) may arrive while shutting down.
        void RequestStop()
        {
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
            }
        }

        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, context => { context.Cancel = true; RequestStop(); });
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; RequestStop(); };
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        return 0;
    }

    private static int IntOption(string[] args, string name, int fallback) =>
        StringOption(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    private static string? StringOption(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }
}
