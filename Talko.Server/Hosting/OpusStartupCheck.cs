using Talko.Core.Media.Codecs.Opus;

namespace Talko.Server.Hosting;

/// <summary>
/// Chooses the Opus implementation while the host starts rather than on the first Opus call, so the choice is in the
/// start-up log and a required native libopus that is missing stops start-up with an error naming the package.
/// </summary>
internal sealed class OpusStartupCheck(IServiceProvider services) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetService<OpusCodecs>();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
