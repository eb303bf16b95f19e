using Microsoft.AspNetCore.Http.HttpResults;
using Talko.Core.Instances;

namespace Talko.Server.Features.Admin;

public static class AdminApi
{
    public static IHostApplicationBuilder AddAdminApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdminOptions>().BindConfiguration("Talko:Admin");
        return builder;
    }

    public static IEndpointRouteBuilder MapAdminApi(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/v1/admin").WithTags("Admin").AddEndpointFilter<AdminKeyFilter>();
        admin.MapGet("/instances", ListInstances).WithSummary("Live instances of this deployment");
        admin.MapPost("/drain", Drain).WithSummary("Switch this instance to draining");
        return routes;
    }

    private static async Task<Ok<IReadOnlyList<InstanceDescriptor>>> ListInstances(InstanceRegistry registry) =>
        TypedResults.Ok(await registry.ListAsync());

    private static Accepted<DrainResponse> Drain(InstanceLifecycle lifecycle)
    {
        var started = lifecycle.BeginDrain();
        return TypedResults.Accepted((string?)null, new DrainResponse(lifecycle.InstanceId, lifecycle.State, started));
    }

    /// <param name="InstanceId">The instance that answered.</param>
    /// <param name="State">Its state now (draining).</param>
    /// <param name="Started">False if it was already draining.</param>
    public sealed record DrainResponse(string InstanceId, InstanceState State, bool Started);
}
