using System.Net;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Events;
using Talko.Tests.Infrastructure;
using Talko.Tests.Server.Features.Conversations;

namespace Talko.Tests.Server.Hosting;

/// <summary>
/// A client's mistake is the client's: in the Development environment (how `dotnet run` starts the server,
/// with minimal APIs throwing on bad requests) it is answered 4xx and logged as one Information line with
/// no stack trace; only the server's own failures are errors.
/// </summary>
public sealed class ClientErrorLoggingTests : IAsyncLifetime
{
    private readonly CapturedLogEvents logs = new();
    private readonly TalkoHost host;

    public ClientErrorLoggingTests() =>
        host = new TalkoHost(TalkoHostOptions.Embedded() with { Environment = "Development" }, services =>
        {
            services.AddSingleton<Serilog.Core.ILogEventSink>(logs);
            services.AddSingleton<IStartupFilter, FailingMiddleware>();
        });

    public async Task InitializeAsync()
    {
        // Start the host (migrations and all) outside every test's timing.
        using var client = host.CreateClient();
        (await client.GetAsync("/health/live").WaitAsync(TestTimeouts.Long)).EnsureSuccessStatusCode();
    }

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Malformed_json_is_one_information_line_without_a_stack_trace()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        logs.Clear();

        var response = await alice.Client.PostAsync("/v1/groups", new StringContent("{\"name\": \"Team", Encoding.UTF8, "application/json")).WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default)).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("name", out _), problem.ToString());
        await AssertLoggedOnceAsInformation("/v1/groups", 400);
    }

    [Fact]
    public async Task A_bad_query_value_is_one_information_line_without_a_stack_trace()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        var group = await alice.Client.CreateGroupAsync("Team");
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Plans");
        logs.Clear();

        var path = $"/v1/conversations/{conversation.Id}/items";
        var response = await alice.Client.GetAsync($"{path}?limit=many").WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default)).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty("limit", out _), problem.ToString());
        await AssertLoggedOnceAsInformation(path, 400);
    }

    [Fact]
    public async Task A_refused_hub_call_is_one_information_line()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        await using var hub = host.CreateHubConnection(alice);
        await hub.StartAndWaitUntilReadyAsync();
        logs.Clear();

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("SetStatus", new string('x', 10_000)).WaitAsync(TestTimeouts.Default));

        Assert.Contains("statusText", refused.Message);
        await TestTimeouts.EventuallyAsync(() => Task.FromResult(logs.With("HubMethod", "SetStatus").Count > 0), TestTimeouts.Default, "the refusal's log line");
        var lines = logs.With("HubMethod", "SetStatus");
        Assert.True(lines.Count == 1 && lines[0].Level == LogEventLevel.Information && lines[0].Exception is null, CapturedLogEvents.Describe(lines));
        AssertNothingAboveInformation();
    }

    [Fact]
    public async Task A_hub_call_with_an_undefined_enum_value_is_refused_without_an_error()
    {
        using var alice = await host.SignUpAsync("alice@example.com");
        await using var hub = host.CreateHubConnection(alice);
        await hub.StartAndWaitUntilReadyAsync();
        logs.Clear();

        await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync("SetActivity", new { kind = 42, conversationId = Guid.NewGuid().ToString() }).WaitAsync(TestTimeouts.Default));

        // The connection survives the refusal.
        await hub.InvokeAsync("SetStatus", "back").WaitAsync(TestTimeouts.Default);
        AssertNothingAboveInformation();
    }

    [Fact]
    public async Task An_authorization_refusal_is_a_warning()
    {
        using var client = host.CreateClient();
        logs.Clear();

        var refused = await client.GetAsync("/v1/admin/instances").WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var line = await SingleRequestLineAsync("/v1/admin/instances");
        Assert.Equal(LogEventLevel.Warning, line.Level);
        Assert.Null(line.Exception);
    }

    [Fact]
    public async Task Health_probes_are_not_errors_even_while_the_instance_drains()
    {
        using var client = host.CreateClient();
        using var admin = host.CreateAdminClient();
        logs.Clear();

        // Healthy probes stay below Information; a refused one while draining is one Information line.
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/ready").WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync("/v1/admin/drain", null).WaitAsync(TestTimeouts.Default)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync("/health/ready").WaitAsync(TestTimeouts.Default)).StatusCode);

        var line = await SingleRequestLineAsync("/health/ready");
        Assert.Equal("503", CapturedLogEvents.Render(line.Properties["StatusCode"]));
        Assert.Equal(LogEventLevel.Information, line.Level);
        // The drain itself is announced (a Warning); the probes it refuses are not errors.
        var errors = logs.Events.Where(e => e.Level >= LogEventLevel.Error || e.Exception is not null).ToList();
        Assert.True(errors.Count == 0, CapturedLogEvents.Describe(errors));
    }

    [Fact]
    public async Task A_server_failure_is_still_an_error()
    {
        using var client = host.CreateClient();
        logs.Clear();

        var failed = await client.GetAsync(FailingMiddleware.Path).WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var line = await SingleRequestLineAsync(FailingMiddleware.Path);
        Assert.Equal(LogEventLevel.Error, line.Level);
        Assert.Contains(logs.Events, e => e.Level == LogEventLevel.Error && e.Exception is InvalidOperationException { Message: FailingMiddleware.Message });
    }

    /// <summary>The request logging's line for <paramref name="path"/> (other lines written during the request carry its path too).</summary>
    private async Task<LogEvent> SingleRequestLineAsync(string path)
    {
        IReadOnlyList<LogEvent> RequestLines() => logs.With("RequestPath", path).Where(e => e.Properties.ContainsKey("Elapsed")).ToList();
        await TestTimeouts.EventuallyAsync(() => Task.FromResult(RequestLines().Count > 0), TestTimeouts.Default, "the request's log line");
        var lines = RequestLines();
        Assert.True(lines.Count == 1, CapturedLogEvents.Describe(lines));
        return lines[0];
    }

    private async Task AssertLoggedOnceAsInformation(string path, int status)
    {
        var line = await SingleRequestLineAsync(path);
        var all = logs.With("RequestPath", path);
        Assert.True(all.Count == 1, CapturedLogEvents.Describe(all));
        Assert.Equal(LogEventLevel.Information, line.Level);
        Assert.Null(line.Exception);
        Assert.Equal(status.ToString(System.Globalization.CultureInfo.InvariantCulture), CapturedLogEvents.Render(line.Properties["StatusCode"]));
        AssertNothingAboveInformation();
    }

    private void AssertNothingAboveInformation()
    {
        var loud = logs.Events.Where(e => e.Level > LogEventLevel.Information || e.Exception is not null).ToList();
        Assert.True(loud.Count == 0, CapturedLogEvents.Describe(loud));
    }
}

/// <summary>A path no endpoint serves, at the end of the pipeline, that fails the way a server bug does.</summary>
internal sealed class FailingMiddleware : IStartupFilter
{
    public const string Path = "/test/failure";
    public const string Message = "a server bug";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        next(app);
        app.Use((HttpContext http, RequestDelegate rest) =>
            http.Request.Path == Path ? throw new InvalidOperationException(Message) : rest(http));
    };
}
