using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Talko.Tests.Server.Features.Notifications.Fakes;

/// <summary>Decodes and verifies a compact JWS the way APNs and Google do: with the public key only.</summary>
public sealed record TestJwt(JsonObject Header, JsonObject Claims, byte[] SigningInput, byte[] Signature)
{
    public static TestJwt? TryParse(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))?.AsObject();
            var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))?.AsObject();
            return header is null || claims is null
                ? null
                : new TestJwt(header, claims, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url.DecodeFromChars(parts[2]));
        }
        catch (Exception exception) when (exception is FormatException or System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public bool VerifiesWith(ECDsa publicKey) =>
        (string?)Header["alg"] == "ES256" && Signature.Length == 64 &&
        publicKey.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

    public bool VerifiesWith(RSA publicKey) =>
        (string?)Header["alg"] == "RS256" &&
        publicKey.VerifyData(SigningInput, Signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public long? NumericClaim(string name) => Claims[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : null;
}
