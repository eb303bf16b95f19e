using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Talko.Server.Features.Accounts.Auth;

/// <summary>Issues short-lived HS256 JWT access tokens (RFC 7519) carrying the user and device ids.</summary>
public sealed class AccessTokenIssuer(ServerKeys keys, IOptions<AuthOptions> auth, IOptions<AccountsOptions> accounts, TimeProvider time)
{
    private readonly JsonWebTokenHandler handler = new();

    public SymmetricSecurityKey SecurityKey { get; } = new(keys.SigningKey) { KeyId = "talko-1" };

    public (string Token, DateTime ExpiresAt) Issue(Guid userId, Guid deviceId)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var expiresAt = now + accounts.Value.AccessTokenLifetime;
        var token = handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = auth.Value.Issuer,
            Audience = auth.Value.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expiresAt,
            Subject = new ClaimsIdentity(
            [
                new Claim(TalkoClaims.UserId, userId.ToString()),
                new Claim(TalkoClaims.DeviceId, deviceId.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, Guid.NewGuid().ToString("N")),
            ]),
            SigningCredentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.HmacSha256),
        });
        return (token, expiresAt);
    }
}
