using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Talko.Tests.Server.Features.Notifications.Fakes;

/// <summary>
/// Kestrel on a loopback port, for standing in for APNs, FCM and webhook receivers. HTTP/2 servers speak
/// h2c (HTTP/2 with prior knowledge, no TLS): the framing, HPACK headers and stream handling are the real
/// protocol, and no certificate has to be made and trusted; TLS and ALPN are the one part the tests do
/// not exercise (docs/decisions/0501-push-provider-tests.md).
/// </summary>
public sealed class LocalHttpServer : IAsyncDisposable
{
    private readonly WebApplication app;

    private LocalHttpServer(WebApplication app, Uri baseUrl)
    {
        this.app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<LocalHttpServer> StartAsync(RequestDelegate handler, HttpProtocols protocols = HttpProtocols.Http2)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = protocols));
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync().WaitAsync(Infrastructure.TestTimeouts.Default);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalHttpServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().WaitAsync(Infrastructure.TestTimeouts.Default);
        await app.DisposeAsync();
    }
}
