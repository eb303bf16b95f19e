using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Talko.Server.Kernel;

namespace Talko.Tests.Infrastructure;

/// <summary>
/// One in-process Talko instance on the test server. Several hosts given the same PostgreSQL and
/// Redis form one deployment, for cross-instance tests. An embedded host gets its own data directory.
/// </summary>
public sealed class TalkoHost : WebApplicationFactory<Program>
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "talko-tests", Guid.NewGuid().ToString("N"));
    private readonly Action<IServiceCollection>? configureServices;

    public TalkoHost(TalkoHostOptions options, Action<IServiceCollection>? configureServices = null)
    {
        Options = options;
        this.configureServices = configureServices;
    }

    public TalkoHostOptions Options { get; }

    public string DataDirectory => dataDirectory;

    /// <summary>An HTTP client carrying the admin key.</summary>
    public HttpClient CreateAdminClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Talko-Admin-Key", Options.AdminKey);
        return client;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(Options.Environment);
        builder.UseSetting("Talko:DataDirectory", dataDirectory);
        foreach (var (key, value) in Options.ToConfiguration())
        {
            builder.UseSetting(key, value);
        }

        // Codes are captured, not delivered, so tests (and AccountsTestExtensions.SignUpAsync) can read them.
        builder.ConfigureServices(services => services.AddSingleton<Talko.Server.Features.Accounts.Codes.IVerificationCodeSender, CapturingCodeSender>());
        builder.ConfigureServices(services => services.AddTransient<IStartupFilter, TestClientAddress.StartupFilter>());
        if (configureServices is not null)
        {
            builder.ConfigureServices(configureServices);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (Directory.Exists(dataDirectory))
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            TestDirectory.Delete(dataDirectory);
        }
    }
}
