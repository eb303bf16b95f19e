using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Talko.Server.Kernel;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Hosting;

/// <summary>The no-configuration mode: SQLite under the data directory, in-process state, one instance.</summary>
public sealed class EmbeddedModeTests : IAsyncLifetime
{
    private readonly TalkoHost host = new(TalkoHostOptions.Embedded());

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await host.DisposeAsync();

    [Fact]
    public async Task Starts_ready_and_creates_its_sqlite_database_under_the_data_directory()
    {
        using var client = host.CreateClient();

        var ready = await client.GetAsync("/health/ready").WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(File.Exists(Path.Combine(host.DataDirectory, "talko.db")), "talko.db should exist under the data directory");
        var report = await ready.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Healthy", report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Serves_the_openapi_document()
    {
        using var client = host.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").WaitAsync(TestTimeouts.Default);
        Assert.True(document.GetProperty("paths").TryGetProperty("/v1/admin/instances", out _));
    }

    [Fact]
    public async Task The_openapi_document_describes_upload_bodies_and_the_refresh_refusal()
    {
        using var client = host.CreateClient();
        var document = await client.GetFromJsonAsync<JsonElement>("/openapi/v1.json").WaitAsync(TestTimeouts.Default);
        var paths = document.GetProperty("paths");
        JsonElement Resolve(JsonElement schema) => schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!.Split('/')[^1])
            : schema;

        // The API page can only offer a file upload when the body is described as binary content.
        foreach (var (path, type) in new[] { ("/v1/conversations/{conversationId}/photos", "image/webp"), ("/v1/conversations/{conversationId}/voice-clips", "audio/wav") })
        {
            var content = paths.GetProperty(path).GetProperty("post").GetProperty("requestBody").GetProperty("content");
            foreach (var mediaType in new[] { "application/octet-stream", type })
            {
                var schema = Resolve(content.GetProperty(mediaType).GetProperty("schema"));
                Assert.Equal(("string", "binary"), (schema.GetProperty("type").GetString(), schema.GetProperty("format").GetString()));
            }
        }

        // Describing the body must not make routing refuse other labels: the endpoint decides by content (415 or
        // accepted), after authentication.
        using var anonymous = new ByteArrayContent([1, 2, 3]);
        anonymous.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("image/pjpeg");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync($"/v1/conversations/{Guid.NewGuid()}/photos", anonymous).WaitAsync(TestTimeouts.Default)).StatusCode);

        var refresh = paths.GetProperty("/v1/auth/refresh").GetProperty("post").GetProperty("responses");
        Assert.True(refresh.TryGetProperty("401", out _), "POST /v1/auth/refresh does not list 401");
    }

    [Fact]
    public async Task Admin_api_requires_the_admin_key()
    {
        using var anonymous = host.CreateClient();
        var refused = await anonymous.GetAsync("/v1/admin/instances").WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);

        using var admin = host.CreateAdminClient();
        var instances = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/instances").WaitAsync(TestTimeouts.Default);
        Assert.Contains(instances.EnumerateArray(), i => i.GetProperty("id").GetString() == host.Options.InstanceId);
    }

    [Fact]
    public async Task Unknown_routes_answer_with_problem_details()
    {
        using var client = host.CreateClient();
        var response = await client.GetAsync("/v1/no-such-thing").WaitAsync(TestTimeouts.Default);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Drain_turns_readiness_to_503_but_liveness_stays_200()
    {
        using var admin = host.CreateAdminClient();

        var drain = await admin.PostAsync("/v1/admin/drain", null).WaitAsync(TestTimeouts.Default);

        Assert.Equal(HttpStatusCode.Accepted, drain.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await admin.GetAsync("/health/ready")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/health/live")).StatusCode);
        var instances = await admin.GetFromJsonAsync<JsonElement>("/v1/admin/instances").WaitAsync(TestTimeouts.Default);
        Assert.Equal("Draining", instances.EnumerateArray().Single(i => i.GetProperty("id").GetString() == host.Options.InstanceId).GetProperty("state").GetString());
    }
}
