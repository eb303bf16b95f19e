using System.Net.Http.Headers;
using System.Net.Http.Json;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Authorization;

/// <summary>
/// One entry of the matrix: an endpoint of the OpenAPI document (method and path template as the document spells
/// them), how to build a valid request for it as a given actor, and what each actor must get. A <see cref="Variant"/>
/// names a second entry for the same endpoint that probes one more rule (e.g. a call from another conversation).
/// </summary>
public sealed record EndpointRow(string Method, string Template, Expectation Expect, Func<RowCall, Task<HttpRequestMessage>> Build)
{
    public string? Variant { get; init; }

    /// <summary>A check after the answer (an effect that must or must not have happened); returns a failure, or null.</summary>
    public Func<RowCall, HttpResponseMessage, Task<string?>>? Verify { get; init; }

    /// <summary>"METHOD template" (and the variant), as failures and <see cref="PendingFixes"/> name it.</summary>
    public string Key => Variant is null ? $"{Method} {Template}" : $"{Method} {Template} [{Variant}]";

    public override string ToString() => Key;
}

/// <summary>
/// One actor calling one row: the world, who calls, and the host and token to use. A row that would change the
/// world for later rows replaces <see cref="Token"/> (a fresh user) or <see cref="Host"/> (a spare instance).
/// </summary>
public sealed class RowCall(AuthorizationWorld world, Actor actor)
{
    public AuthorizationWorld World { get; } = world;

    public Actor Actor { get; } = actor;

    /// <summary>The bearer token sent; null sends none. Starts as the actor's own.</summary>
    public string? Token { get; set; } = world.TokenOf(actor);

    public TalkoHost Host { get; set; } = world.Host;

    /// <summary>Whether the actor sends a user token (rows skip making fresh resources for those who cannot get past sign-in).</summary>
    public bool SignedIn => Token is not null;

    /// <summary>Whatever a row made for this call and checks afterwards (e.g. the device it tried to sign out).</summary>
    public TestUser? Subject { get; set; }

    /// <summary>Signed-in actors call as a new user of their own (for rows that spend the caller: logout, account deletion).</summary>
    public async Task UseFreshUserAsync()
    {
        if (Token is not null)
        {
            Token = (await World.NewUserAsync($"fresh-{Actor}")).Tokens.AccessToken;
        }
    }

    public static HttpRequestMessage Get(string path) => new(HttpMethod.Get, path);

    public static HttpRequestMessage Send(string method, string path) => new(new HttpMethod(method), path);

    public static HttpRequestMessage Json<T>(string method, string path, T body) =>
        new(new HttpMethod(method), path) { Content = JsonContent.Create(body, options: TalkoJson.Options) };

    /// <summary>A raw upload (photos, voice clips) with a new idempotency key.</summary>
    public static HttpRequestMessage Upload(string path, byte[] content, string contentType)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(content) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
        return request;
    }
}
