using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Talko.Core.Notifications.Jwt;

/// <summary>
/// Builds JWS compact serialisations (RFC 7515 section 7.1) for the APNs provider token: ES256 (RFC 7518
/// section 3.4). Google's service-account grant is signed by Google.Apis.Auth (ADR 0910).
/// </summary>
public static class CompactJwt
{
    public static string SignEs256(JsonObject header, JsonObject claims, ECDsa key)
    {
        header["alg"] = "ES256";
        var signingInput = SigningInput(header, claims);
        // JWS wants the fixed-width r||s form (RFC 7518 section 3.4), which is .NET's default for ECDsa.
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static string SigningInput(JsonObject header, JsonObject claims) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(header.ToJsonString())) + "." +
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims.ToJsonString()));
}
