using System.Collections.Concurrent;

namespace Talko.LoadClient;

/// <summary>
/// Where clients send their requests: one address (a load balancer) as is, or several instances among
/// which it picks one whose /health/ready answers 200 (probed every interval), the way a load balancer
/// would; used where there is none, as in the test.
/// </summary>
public sealed class InstancePicker : IAsyncDisposable
{
    private volatile Uri[] addresses;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(2) };
    private readonly CancellationTokenSource stop = new();
    private readonly Task? probing;
    private volatile Uri[] ready;
    // Instances that asked a client to move away: a drain does not end, so they stay out even if a readiness probe
    // that started before the drain still reports them ready (a load balancer deregisters a draining target at once).
    private readonly ConcurrentDictionary<Uri, byte> movedAwayFrom = new();

    public InstancePicker(IReadOnlyList<Uri> addresses, TimeSpan probeInterval)
    {
        if (addresses.Count == 0)
        {
            throw new ArgumentException("At least one address is needed.", nameof(addresses));
        }

        this.addresses = addresses.ToArray();
        ready = addresses.Count == 1 ? [addresses[0]] : [];
        probing = ProbeAsync(probeInterval);
    }

    /// <summary>A new instance to consider (as a new target joins a target group); used once it answers ready.</summary>
    public void Add(Uri address) => addresses = [.. addresses, address];

    /// <summary>The instance at <paramref name="address"/> asked a client to reconnect elsewhere: never pick it again.</summary>
    public void MovedAwayFrom(Uri address)
    {
        if (addresses.Length > 1)
        {
            movedAwayFrom.TryAdd(address, 0);
        }
    }

    /// <summary>A ready instance (random among them), waiting up to <paramref name="timeout"/> for one.</summary>
    public async Task<Uri> PickAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var current = movedAwayFrom.IsEmpty ? ready : ready.Where(a => !movedAwayFrom.ContainsKey(a)).ToArray();
            if (current.Length > 0)
            {
                return current[Random.Shared.Next(current.Length)];
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("No instance is ready.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        if (probing is not null)
        {
            try
            {
                await probing;
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        }

        http.Dispose();
        stop.Dispose();
    }

    private async Task ProbeAsync(TimeSpan interval)
    {
        while (!stop.IsCancellationRequested)
        {
            if (addresses.Length == 1)
            {
                // One address is a load balancer: it does the picking.
                ready = addresses;
                await Task.Delay(interval, stop.Token);
                continue;
            }

            var results = await Task.WhenAll(addresses.Select(async address =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri(address, "health/ready"), stop.Token);
                    return response.IsSuccessStatusCode ? address : null;
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    return null;
                }
            }));
            ready = results.OfType<Uri>().ToArray();
            await Task.Delay(interval, stop.Token);
        }
    }
}
