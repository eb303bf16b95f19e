using System.Diagnostics;
using System.Security.Cryptography;
using Talko.Bench.Mixing;
using Talko.Core.Accounts;

namespace Talko.Bench.Accounts;

/// <summary>
/// The CPU side of contact matching: normalising and hashing one request's worth of address-book entries
/// (default 5,000), split into its steps, so the endpoint's time can be told apart from PostgreSQL's.
/// </summary>
public static class IdentifierBenchmark
{
    public static Task<int> RunAsync(string[] args)
    {
        var entries = BenchArguments.Int(args, "--entries", 5000);
        var runs = BenchArguments.Int(args, "--runs", 50);
        var emails = Enumerable.Range(0, entries).Select(i => $"Contact.{i}@Example{i % 97}.com").ToArray();
        var digests = emails.Select(e => IdentifierHasher.ClientDigest(new NormalizedIdentifier(IdentifierKind.Email, e.ToLowerInvariant()))).ToArray();
        var normalizer = new IdentifierNormalizer();
        var hasher = new IdentifierHasher(RandomNumberGenerator.GetBytes(32));
        var normalized = emails.Select(e => normalizer.Normalize(e, null)!).ToArray();

        Report("normalise emails", entries, runs, () =>
        {
            foreach (var email in emails)
            {
                normalizer.TryNormalize(email, null, out _, out _);
            }
        });
        Report("hash normalised emails", entries, runs, () =>
        {
            using var batch = hasher.CreateBatch();
            foreach (var identifier in normalized)
            {
                batch.LookupKey(identifier);
            }
        });
        Report("hash client SHA-256 digests", entries, runs, () =>
        {
            using var batch = hasher.CreateBatch();
            foreach (var digest in digests)
            {
                batch.LookupKey(digest);
            }
        });
        return Task.FromResult(0);
    }

    private static void Report(string name, int entries, int runs, Action body)
    {
        body(); // warm-up: JIT and the IDN tables
        var times = new double[runs];
        for (var run = 0; run < runs; run++)
        {
            var started = Stopwatch.GetTimestamp();
            body();
            times[run] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }

        Array.Sort(times);
        Console.WriteLine($"identifiers: {name}, {entries} entries: median {times[runs / 2]:F2} ms, min {times[0]:F2} ms ({runs} runs)");
    }
}
