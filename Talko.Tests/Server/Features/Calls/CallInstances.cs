using Microsoft.Extensions.DependencyInjection;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// The instances of one calls test: each on its own SIP port with <see cref="CallsTestKit.InstanceSettings"/>, all
/// sharing one recordings and blobs directory (as instances sharing a volume do), stopped and cleaned up together.
/// </summary>
internal sealed class CallInstances(PostgresFixture postgres, RedisFixture redis, string name = "calls") : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> started = [];

    public string Shared { get; } = Path.Combine(Path.GetTempPath(), "talko-tests", $"{name}-{Guid.NewGuid():N}");

    /// <summary>An in-process instance; <paramref name="adjust"/> changes its settings, <paramref name="logs"/> captures its log.</summary>
    public (TalkoHost Host, int SipPort) StartHost(string instanceId, Action<Dictionary<string, string?>>? adjust = null, CapturedLogs? logs = null)
    {
        var sipPort = FreePort.Find();
        var host = new TalkoHost(
            TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = instanceId, Settings = Settings(sipPort, adjust) },
            logs is null ? null : services => services.AddSingleton<Serilog.Core.ILogEventSink>(logs));
        started.Add(host);
        host.CreateClient().Dispose();
        return (host, sipPort);
    }

    /// <summary>
    /// An instance in its own process, for tests that kill it, read what only it counts or drive it from a browser;
    /// <paramref name="adjust"/> changes its settings, <paramref name="environment"/> its hosting environment.
    /// </summary>
    public async Task<(TalkoProcess Process, int SipPort)> StartProcessAsync(string instanceId, Action<Dictionary<string, string?>>? adjust = null, string environment = "Testing")
    {
        var sipPort = FreePort.Find();
        var process = await TalkoProcess.StartAsync(
            TalkoHostOptions.ScaledOut(postgres, redis) with { InstanceId = instanceId, Environment = environment, Settings = Settings(sipPort, adjust) });
        started.Add(process);
        return (process, sipPort);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var instance in Enumerable.Reverse(started))
        {
            await instance.DisposeAsync();
        }

        TestDirectory.Delete(Shared);
    }

    private Dictionary<string, string?> Settings(int sipPort, Action<Dictionary<string, string?>>? adjust)
    {
        var settings = CallsTestKit.InstanceSettings(Shared, sipPort);
        adjust?.Invoke(settings);
        return settings;
    }
}
