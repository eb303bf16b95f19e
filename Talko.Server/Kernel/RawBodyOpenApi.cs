using Microsoft.OpenApi;

namespace Talko.Server.Kernel;

/// <summary>
/// Describes an endpoint that reads its raw body (a photo, a voice clip) in the OpenAPI document, so the API page
/// offers a file upload. Not <c>Accepts</c>: that also makes routing answer 415 to any other Content-Type before
/// authentication and before the endpoint's own, content-based checks (which accept label aliases too).
/// </summary>
public static class RawBodyOpenApi
{
    public static RouteHandlerBuilder DescribesRawBody(this RouteHandlerBuilder builder, params string[] contentTypes) =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = contentTypes.ToDictionary(type => type, _ => new OpenApiMediaType
                {
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                }),
            };
            return Task.CompletedTask;
        });
}
