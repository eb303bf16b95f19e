using Talko.Core.Accounts;
using Talko.Server.Features.Accounts.Entities;

namespace Talko.Server.Features.Accounts;

/// <param name="Identifier">An email address, or a phone number (international "+..." or national with <paramref name="Region"/>).</param>
/// <param name="Region">The client's default region (ISO 3166-1 alpha-2, e.g. "GB") for national phone numbers.</param>
public sealed record StartRequest(string? Identifier, string? Region);

/// <summary>The answer to a code request; the same whether or not the identifier is known or was asked for before.</summary>
/// <param name="ExpiresInSeconds">How long the code is valid.</param>
/// <param name="CodeLength">Digits in the code.</param>
/// <param name="ResendAfterSeconds">When to offer "send again": a request within this cool-down is accepted but sends nothing (the code already sent still works).</param>
public sealed record StartResponse(int ExpiresInSeconds, int CodeLength, int ResendAfterSeconds);

public sealed record DeviceRegistration(DevicePlatform? Platform, string? Name, string? PushToken);

public sealed record VerifyRequest(string? Identifier, string? Region, string? Code, DeviceRegistration? Device);

public sealed record AuthTokens(string AccessToken, DateTime AccessTokenExpiresAt, string RefreshToken, DateTime RefreshTokenExpiresAt);

/// <param name="UserId">The account signed in to.</param>
/// <param name="DeviceId">The device just registered; its id is the token's "did" claim.</param>
/// <param name="NewAccount">True when this verification created the account (registration).</param>
/// <param name="Tokens">Access token (JWT bearer) and refresh token.</param>
/// <param name="Sip">The new device's SIP credentials; the secret is shown only here and on rotation.</param>
public sealed record VerifyResponse(Guid UserId, Guid DeviceId, bool NewAccount, AuthTokens Tokens, SipCredentials Sip);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record RefreshResponse(Guid UserId, Guid DeviceId, AuthTokens Tokens);

public sealed record IdentifierView(Guid Id, IdentifierKind Kind, string Hint, DateTime VerifiedAt);

public sealed record MeResponse(Guid UserId, string? DisplayName, bool Discoverable, DateTime CreatedAt, IReadOnlyList<IdentifierView> Identifiers);

/// <param name="DisplayName">New display name (1-64 characters after trimming); omitted: unchanged.</param>
/// <param name="Discoverable">Whether contact matching may return this user; omitted: unchanged.</param>
public sealed record UpdateMeRequest(string? DisplayName, bool? Discoverable);

public sealed record DeviceView(Guid Id, DevicePlatform Platform, string Name, bool HasPushToken, bool Current, DateTime CreatedAt, DateTime LastSeenAt, string SipUsername);

public sealed record AddIdentifierVerifyRequest(string? Identifier, string? Region, string? Code);

/// <param name="Username">The SIP digest username (also the user part of the device's SIP URI).</param>
/// <param name="Realm">The digest realm the secret is valid in.</param>
/// <param name="Secret">Present only when the credentials were just issued (registration or rotation).</param>
public sealed record SipCredentials(string Username, string Realm, string? Secret);

/// <param name="Ref">The client's own reference for the entry (e.g. an address-book row id), echoed in matches.</param>
/// <param name="Identifier">A raw email address or phone number, normalised server-side.</param>
/// <param name="Sha256">Or: the hex SHA-256 of the normalised identifier's UTF-8 bytes.</param>
public sealed record ContactEntry(string? Ref, string? Identifier, string? Sha256);

/// <param name="Region">Default region for national phone numbers in the entries.</param>
/// <param name="Entries">Up to Talko:Accounts:ContactMatchMaxEntries (5,000) entries.</param>
public sealed record ContactMatchRequest(string? Region, IReadOnlyList<ContactEntry?>? Entries);

public sealed record ContactMatch(string ClientRef, Guid UserId, string? DisplayName);

public sealed record ContactMatchResponse(IReadOnlyList<ContactMatch> Matches);
