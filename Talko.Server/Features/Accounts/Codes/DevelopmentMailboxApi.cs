namespace Talko.Server.Features.Accounts.Codes;

/// <summary>
/// GET /dev/mailbox: the development mailbox (<see cref="DevelopmentMailbox"/>). Mapped only in Development and only
/// when no email delivery is configured, so a Production host never has the route at all.
/// </summary>
public static class DevelopmentMailboxApi
{
    public const string Path = "/dev/mailbox";

    public static bool IsEnabled(IHostEnvironment environment, IConfiguration configuration) =>
        environment.IsDevelopment() && string.IsNullOrWhiteSpace(configuration[$"{AccountsOptions.Section}:Smtp:Host"]);

    public static IEndpointRouteBuilder MapDevelopmentMailbox(this IEndpointRouteBuilder routes)
    {
        if (routes.ServiceProvider.GetService<DevelopmentMailbox>() is null)
        {
            return routes;
        }

        routes.MapGet(Path, (DevelopmentMailbox mailbox) => TypedResults.Ok(mailbox.Read()))
            .AllowAnonymous().ExcludeFromDescription();
        return routes;
    }
}
