using System.Runtime.InteropServices;

namespace Talko.Bench;

/// <summary>How the bench's server modes (sip-server, media-server) run until their scripts stop them.</summary>
internal static class ServerModeLifetime
{
    /// <summary>Returns after <paramref name="seconds"/>, on SIGTERM or on Ctrl+C, whichever comes first.</summary>
    public static async Task UntilStoppedAsync(int seconds)
    {
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

        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; RequestStop(); });
        ConsoleCancelEventHandler onCancel = (_, e) => { e.Cancel = true; RequestStop(); };
        Console.CancelKeyPress += onCancel;
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
