using Talko.Core.Conversations;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Faults;

/// <summary>
/// One fault under load, checked the same way for every fault: Alice posts and Bob reads through both instances while
/// Bob's realtime client listens on instance two; the fault is injected; afterwards every request got a 2xx or a 503
/// with Retry-After (a killed instance may not answer at all), every acknowledged text is in the database exactly once
/// with seq unbroken, and the listener, never told to sync by the test, holds every acknowledged text. The figures are
/// written before the checks, so a failing run still shows them.
/// </summary>
internal sealed class FaultScenario(FaultCluster cluster, FaultReport report, Xunit.Abstractions.ITestOutputHelper output)
{
    private static readonly TimeSpan Before = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan After = TimeSpan.FromSeconds(3);

    public AnswerLog Log { get; } = new();

    public FaultTraffic Traffic { get; private set; } = null!;

    public FaultListener Listener { get; private set; } = null!;

    /// <summary>Instances killed on purpose: they may leave requests unanswered from then on.</summary>
    public HashSet<string> Killed { get; } = new(StringComparer.Ordinal);

    /// <param name="inject">The fault; returns when the system should have everything it needs to recover.</param>
    public async Task RunAsync(Func<FaultScenario, Task> inject)
    {
        Listener = await FaultListener.StartAsync(cluster, cluster.Two, Log);
        Traffic = new FaultTraffic(cluster, Log);
        using var stop = new CancellationTokenSource();
        var traffic = Traffic.RunAsync(stop.Token);
        await Task.Delay(Before);
        var faultAt = Log.Clock.Elapsed;
        await inject(this);
        var recoveredAt = Log.Clock.Elapsed;
        await Task.Delay(After);
        await stop.CancelAsync();
        await traffic.WaitAsync(TestTimeouts.Long);

        report.Requests(Log.All);
        var acks = Traffic.AcknowledgedAt.ToList();
        report.Seconds("longest time without an acknowledged post", acks.Zip(acks.Skip(1), (a, b) => b - a).DefaultIfEmpty().Max());
        report.Seconds("first acknowledged post after the fault was over", acks.Where(a => a >= recoveredAt).Select(a => a - recoveredAt).Cast<TimeSpan?>().FirstOrDefault());
        await VerifyAsync(faultAt);
    }

    private async Task VerifyAsync(TimeSpan faultAt)
    {
        var unacceptable = Log.All.Where(a => !a.Acceptable && !(a.Status is null && Killed.Contains(a.Instance))).ToList();

        // What the database holds, read by a client of the test (not the listener's).
        using var reader = cluster.Client(cluster.Two, cluster.AliceToken);
        var (pages, _) = await reader.SyncAllAsync(null);
        var items = pages.SelectMany(p => p.Items).Where(i => i.ConversationId == cluster.ConversationId).ToList();
        var texts = items.Where(i => i.Kind == ItemKind.Text).GroupBy(i => i.Text!).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var acknowledged = Traffic.Acknowledged;
        var missing = acknowledged.Keys.Where(t => !texts.ContainsKey(t)).ToList();
        var duplicated = texts.Where(t => t.Value > 1).Select(t => t.Key).ToList();
        var seqs = items.Select(i => i.Seq).Order().ToList();
        var gaps = seqs.Zip(seqs.Skip(1), (a, b) => b - a - 1).Sum();
        report.Items(acknowledged.Count, acknowledged.Keys.Count(texts.ContainsKey), missing.Count, duplicated.Count, (int)gaps);

        // The listener gets there by the protocol alone; how long that took after the fault is a figure, not a check.
        var listenerDone = await TestTimeouts.CameTrueWithinAsync(() => acknowledged.Keys.All(Listener.Texts.Values.Contains), TestTimeouts.Long);
        report.Seconds("listener had every acknowledged item, counted from the fault's start", listenerDone ? Log.Clock.Elapsed - faultAt : null);
        report.Add($"listener resyncs: {Listener.Resyncs.Count}");
        report.Logs(cluster.One, cluster.Two);
        report.WriteTo(output);

        Assert.True(unacceptable.Count == 0, $"answers outside the rule: {string.Join(", ", unacceptable.GroupBy(a => $"{a.What} {a.Describe}").Select(g => $"{g.Key} x {g.Count()}"))}");
        Assert.Empty(missing);
        Assert.Empty(duplicated);
        Assert.Equal(0, gaps);
        Assert.True(acknowledged.Values.All(seqs.Contains), "an acknowledged seq is not in the conversation");
        var notHeard = acknowledged.Keys.Where(t => !Listener.Texts.Values.Contains(t)).ToList();
        Assert.True(notHeard.Count == 0, $"the listener never got {notHeard.Count} acknowledged items: {string.Join(", ", notHeard.Take(10))}");
    }
}
