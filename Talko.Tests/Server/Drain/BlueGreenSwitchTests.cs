using System.Net;
using Talko.LoadClient;
using Talko.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Drain;

/// <summary>
/// A blue/green switch with real processes: realtime clients post and receive items on blue, green
/// starts, blue gets SIGTERM and drains, clients move to green. The clients pick a ready instance
/// themselves (the load balancer's part); scripts/bluegreen.sh runs the same load through HAProxy.
/// </summary>
public sealed class BlueGreenSwitchTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(6);
    private static readonly TimeSpan Jitter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan CloseAfter = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task Switching_from_blue_to_green_loses_and_duplicates_nothing_and_every_client_is_back_within_the_window()
    {
        await using var codes = new SmtpCodeSink();
        await using var blue = await TalkoProcess.StartAsync(Options("blue", codes.Port));
        var load = new LoadOptions
        {
            Addresses = [blue.BaseAddress],
            Users = 12,
            UsersPerConversation = 4,
            PostInterval = TimeSpan.FromMilliseconds(400),
        };
        await using var run = await LoadRun.StartAsync(load, codes, output.WriteLine).WaitAsync(TestTimeouts.Long);
        await Task.Delay(TimeSpan.FromSeconds(2));

        // Green joins the clients' "load balancer" (they probe readiness), then blue drains.
        await using var green = await TalkoProcess.StartAsync(Options("green", codes.Port));
        await SwitchInstances.WaitReadyAsync(green);
        run.AddInstance(green.BaseAddress);
        await Task.Delay(TimeSpan.FromSeconds(1));
        var drainStarted = DateTimeOffset.UtcNow;
        var drainStartedInRun = run.Counters.SinceStart;
        await blue.TerminateAsync();
        var blueExited = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(2));
        var report = await run.StopAsync().WaitAsync(TestTimeouts.Long);

        output.WriteLine(report.ToText());
        output.WriteLine($"blue {blue.BaseAddress.Authority} exited {(blueExited - drainStarted).TotalSeconds:F1} s after SIGTERM (sent {drainStartedInRun.TotalSeconds:F0} s into the load run); green is {green.BaseAddress.Authority}");
        output.WriteLine(string.Join('\n', blue.Output.Split('\n').Where(l => l.Contains("Server.Drain", StringComparison.Ordinal))));
        Assert.True(report.ItemsPosted > 50, $"only {report.ItemsPosted} items posted");
        Assert.Equal(0, report.ItemsLost);
        Assert.Equal(0, report.Duplicates);
        Assert.Equal(0, report.PostsAbandoned);
        Assert.Equal(0, report.HttpRequestsFailed);
        Assert.Equal(0, report.UnexpectedDisconnects);
        Assert.Equal(load.Users, report.ReconnectsAsked);
        Assert.Equal(report.ReconnectsAsked, report.ClientsBack);
        // Asked inside the window (after the grace), and every client back before the server would have closed it.
        var slack = TimeSpan.FromSeconds(2);
        Assert.InRange(report.FirstReconnectAskedAt!.Value, drainStarted + Grace - slack, drainStarted + Grace + Window + slack);
        Assert.InRange(report.LastReconnectAskedAt!.Value, drainStarted + Grace, drainStarted + Grace + Window + Jitter + slack);
        Assert.True(report.LastClientBackAt <= drainStarted + Grace + Window + Jitter + CloseAfter + slack, $"last client back {(report.LastClientBackAt - drainStarted)?.TotalSeconds:F1} s into the drain");
        Assert.True(report.ReconnectSpread >= Window / 2, $"reconnects spread over only {report.ReconnectSpread.TotalSeconds:F1} s");
        Assert.True(blue.HasExited);
    }

    private TalkoHostOptions Options(string name, int smtpPort) =>
        TalkoHostOptions.ScaledOut(postgres, redis) with
        {
            InstanceId = $"{name}-{Guid.NewGuid():N}"[..12],
            Settings = SwitchInstances.Settings(smtpPort, Grace, Window, Jitter, CloseAfter),
        };
}
