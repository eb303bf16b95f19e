using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Talko.Server.Features.Admin;

/// <summary>Admits a request only with the configured admin key, compared in constant time.</summary>
internal sealed class AdminKeyFilter(IOptions<AdminOptions> options) : IEndpointFilter
{
    public const string Header = "X-Talko-Admin-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (string.IsNullOrEmpty(options.Value.ApiKey))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "The admin API is disabled.", detail: "Set Talko:Admin:ApiKey to enable it.");
        }

        var presented = context.HttpContext.Request.Headers[Header].ToString();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(options.Value.ApiKey)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "A valid admin key is required.", detail: $"Send it in the {Header} header.");
        }

        return await next(context);
    }
}
