namespace Talko.Server.Features.Admin;

public sealed class AdminOptions
{
    /// <summary>Shared secret for /v1/admin, sent as the X-Talko-Admin-Key header. Unset disables the admin API.</summary>
    public string? ApiKey { get; set; }
}
