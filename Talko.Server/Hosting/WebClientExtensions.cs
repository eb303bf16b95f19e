using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Talko.Server.Hosting;

/// <summary>
/// Serves Talko Web, the reference client (../Talko.Web, built into webclient/ by the .NET build), at / from the same
/// origin as the API: from <see cref="WebClientOptions.Directory"/>, else webclient/ under the content root (`dotnet
/// run`), else webclient/ next to the assembly (a published or test-run server). Its pages get a strict content security policy: scripts, styles and connections only from this
/// origin, images also from blob: URLs (photos are fetched with the bearer token and shown as object URLs).
/// </summary>
public static class WebClientExtensions
{
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

    public static IHostApplicationBuilder AddTalkoWebClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebClientOptions>().BindConfiguration(WebClientOptions.Section);
        return builder;
    }

    public static WebApplication UseTalkoWebClient(this WebApplication app)
    {
        var directory = FindClient(app.Environment.ContentRootPath, app.Services.GetRequiredService<IOptions<WebClientOptions>>().Value);
        if (directory is null)
        {
            app.MapGet("/", () => Results.Text(
                "Talko is running. The web client was not built: install Node.js 20 and build again (see README). The API is under /v1, its reference at /scalar/v1.\n"))
                .ExcludeFromDescription();
            return app;
        }

        var files = new PhysicalFileProvider(directory);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers[HeaderNames.ContentSecurityPolicy] = ContentSecurityPolicy;
                headers[HeaderNames.XContentTypeOptions] = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                // index.html names hashed bundles: it must be revalidated; the bundles themselves never change.
                headers[HeaderNames.CacheControl] = context.File.Name == "index.html" ? "no-cache" : "public, max-age=31536000, immutable";
            },
        });
        app.Logger.LogInformation("Talko Web served at / from {Directory}", directory);
        return app;
    }

    private static string? FindClient(string contentRoot, WebClientOptions options)
    {
        string[] candidates = options.Directory is { Length: > 0 } configured
            ? [Path.GetFullPath(configured, contentRoot)]
            : [Path.Combine(contentRoot, "webclient"), Path.Combine(AppContext.BaseDirectory, "webclient")];
        return candidates.FirstOrDefault(c => File.Exists(Path.Combine(c, "index.html")));
    }
}
