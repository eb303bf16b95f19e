using System.Text.Json;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Authorization;

/// <summary>The endpoints a running instance publishes in its OpenAPI document, as "METHOD /path/{template}".</summary>
public static class OpenApiEndpoints
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options", "trace"];

    public static async Task<IReadOnlySet<string>> FetchAsync(TalkoHost host)
    {
        using var client = host.CreateClient();
        using var response = await client.GetAsync("/openapi/v1.json").WaitAsync(TestTimeouts.Default);
        response.EnsureSuccessStatusCode();
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync().WaitAsync(TestTimeouts.Default));
        var endpoints = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => Methods.Contains(o.Name)))
            {
                endpoints.Add($"{operation.Name.ToUpperInvariant()} {path.Name}");
            }
        }

        return endpoints;
    }
}
