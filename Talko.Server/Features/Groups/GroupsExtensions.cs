using Talko.Server.Features.Accounts;

namespace Talko.Server.Features.Groups;

public static class GroupsExtensions
{
    /// <summary>Groups and their membership (which carries into the group's conversations), and the invite claim on sign-up.</summary>
    public static IHostApplicationBuilder AddGroups(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<GroupMembership>();
        builder.Services.AddScoped<IIdentifierVerifiedListener, ClaimInvitesOnVerification>();
        return builder;
    }

    /// <summary>The groups and people endpoints.</summary>
    public static IEndpointRouteBuilder MapGroupsFeature(this IEndpointRouteBuilder routes) =>
        routes.MapGroupsApi()
            .MapPeopleApi();
}
