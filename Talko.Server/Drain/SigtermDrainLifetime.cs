using System.Runtime.InteropServices;
using Talko.Core.Instances;

namespace Talko.Server.Drain;

/// <summary>
/// Replaces the console lifetime so that SIGTERM starts a drain instead of stopping the host: the host's
/// stop closes every SignalR connection at once and no shutdown timeout would cover a drain measured in
/// minutes. The drain stops the host when it is done (<see cref="DrainCoordinator"/>). A second SIGTERM,
/// SIGINT (Ctrl+C) and SIGQUIT stop at once, as the console lifetime does.
/// </summary>
internal sealed class SigtermDrainLifetime(InstanceLifecycle lifecycle, IHostApplicationLifetime lifetime, ILogger<SigtermDrainLifetime> logger) : IHostLifetime, IDisposable
{
    private readonly List<PosixSignalRegistration> registrations = [];

    public Task WaitForStartAsync(CancellationToken cancellationToken)
    {
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSigterm));
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGINT, StopNow));
        registrations.Add(PosixSignalRegistration.Create(PosixSignal.SIGQUIT, StopNow));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
        foreach (var registration in registrations)
        {
            registration.Dispose();
        }
    }

    private void OnSigterm(PosixSignalContext context)
    {
        // Cancel the runtime's default (terminate); the host stops when the drain says so.
        context.Cancel = true;
        if (lifecycle.BeginDrain())
        {
            DrainLog.SigtermDrains(logger);
            return;
        }

        DrainLog.SigtermStops(logger);
        lifetime.StopApplication();
    }

    private void StopNow(PosixSignalContext context)
    {
        context.Cancel = true;
        lifetime.StopApplication();
    }
}
