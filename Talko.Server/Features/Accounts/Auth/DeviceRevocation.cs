using System.Text.Json.Serialization;

namespace Talko.Server.Features.Accounts.Auth;

/// <summary>Why a device lost access; logged, and carried to every instance with the revocation.</summary>
public enum DeviceRevocationReason
{
    /// <summary>The device signed itself out (POST /v1/auth/logout).</summary>
    LoggedOut,

    /// <summary>The user removed the device from another of their devices.</summary>
    Deleted,

    /// <summary>A spent refresh token was presented again: the token family is presumed stolen.</summary>
    RefreshTokenReused,

    /// <summary>The user signed in on more devices than allowed; the least recently seen went.</summary>
    Evicted,

    /// <summary>The account was deleted.</summary>
    AccountDeleted,
}

/// <summary>
/// The message on <see cref="Talko.Core.Ephemeral.KeySpace.DeviceRevocationsChannel"/>: these devices of this user
/// lost access, so every instance closes their realtime connections. Published after the database change, so a
/// lost message is covered by the periodic access check of each connection.
/// </summary>
public sealed record DeviceRevocation(Guid UserId, IReadOnlyList<Guid> DeviceIds, DeviceRevocationReason Reason);

[JsonSerializable(typeof(DeviceRevocation))]
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
internal sealed partial class DeviceRevocationJson : JsonSerializerContext;
