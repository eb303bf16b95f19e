using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Input;

public sealed class EmbeddedTextInputTests : TextInputSpecification
{
    private readonly TalkoHost host = new(TalkoHostOptions.Embedded() with
    {
        Settings = new Dictionary<string, string?> { ["Talko:Accounts:AuthRequestsPerIp"] = "10000" },
    });

    protected override TalkoHost Host => host;

    public override Task InitializeAsync() => Task.CompletedTask;

    public override async Task DisposeAsync() => await host.DisposeAsync();
}
