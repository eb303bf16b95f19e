using System.Security.Claims;

namespace Talko.Server.Features.Accounts;

/// <summary>The claims of a Talko access token (RFC 7519 section 4.1.2 for "sub").</summary>
public static class TalkoClaims
{
    /// <summary>The user id (a Guid).</summary>
    public const string UserId = "sub";

    /// <summary>The device id (a Guid) the token was issued to.</summary>
    public const string DeviceId = "did";

    /// <summary>The signed-in user's id. Only call on an authenticated principal (endpoints behind the default policy).</summary>
    public static Guid GetUserId(this ClaimsPrincipal principal) =>
        principal.FindUserId() ?? throw new InvalidOperationException("The principal has no valid 'sub' claim; is the endpoint authorised?");

    /// <summary>The id of the device whose token authenticated the request.</summary>
    public static Guid GetDeviceId(this ClaimsPrincipal principal) =>
        principal.FindDeviceId() ?? throw new InvalidOperationException("The principal has no valid 'did' claim; is the endpoint authorised?");

    public static Guid? FindUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(UserId), out var id) ? id : null;

    public static Guid? FindDeviceId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(DeviceId), out var id) ? id : null;
}
