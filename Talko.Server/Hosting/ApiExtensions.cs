using Scalar.AspNetCore;
using Talko.Server.Input;

namespace Talko.Server.Hosting;

public static class ApiExtensions
{
    public static IHostApplicationBuilder AddTalkoApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOpenApi("v1");
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new DefinedEnumConverterFactory()));
        // An unreadable body or parameter always raises BadHttpRequestException (not only in Development), so
        // every environment answers it the same way: a problem naming what was wrong (BadRequestExceptionHandler).
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return builder;
    }

    /// <summary>The OpenAPI document at /openapi/v1.json always; a browsable API page at /scalar/v1 in Development.</summary>
    public static WebApplication MapTalkoApiDocs(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        return app;
    }
}
