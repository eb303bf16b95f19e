using System.Security.Cryptography;
using System.Text;
using Talko.Core.Accounts;

namespace Talko.Tests.Core.Accounts;

public sealed class IdentifierNormalizerTests
{
    private readonly IdentifierNormalizer normalizer = new();

    [Theory]
    [InlineData("  Alice@Example.COM ", "alice@example.com")]
    [InlineData("bob@BÜCHER.example", "bob@xn--bcher-kva.example")]
    [InlineData("bob@xn--bcher-kva.example", "bob@xn--bcher-kva.example")]
    [InlineData("carol@example.com.", "carol@example.com")]
    public void Emails_are_trimmed_lower_cased_and_get_ascii_domains(string raw, string expected)
    {
        var identifier = normalizer.Normalize(raw, null);
        Assert.Equal(new NormalizedIdentifier(IdentifierKind.Email, expected), identifier);
    }

    [Theory]
    [InlineData("07911 123456", "GB")]
    [InlineData("+44 7911 123456", null)]
    [InlineData("+44 (0)7911-123456", "US")]
    [InlineData("0044 7911 123456", "GB")]
    [InlineData("+447911123456", "DE")]
    public void Phone_numbers_in_any_format_become_the_same_e164(string raw, string? region)
    {
        Assert.Equal(new NormalizedIdentifier(IdentifierKind.Phone, "+447911123456"), normalizer.Normalize(raw, region));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("@example.com")]
    [InlineData("alice@")]
    [InlineData("alice@localhost")]
    [InlineData("alice@exa mple.com")]
    [InlineData("12")]
    [InlineData("07911 123456")]
    [InlineData("+44 7911")]
    [InlineData("+1234567890123456789012345678901234567890123456789012345678901234567890")]
    public void Malformed_identifiers_are_refused_with_a_reason(string raw)
    {
        Assert.False(normalizer.TryNormalize(raw, null, out var identifier, out var error));
        Assert.Null(identifier);
        Assert.NotEmpty(error);
    }

    [Fact]
    public void An_unknown_region_is_refused()
    {
        Assert.False(normalizer.TryNormalize("07911 123456", "QQ", out _, out var error));
        Assert.Contains("region", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Hints_hide_most_of_the_identifier()
    {
        Assert.Equal("a***@example.com", new NormalizedIdentifier(IdentifierKind.Email, "alice@example.com").Hint);
        Assert.Equal("+44********56", new NormalizedIdentifier(IdentifierKind.Phone, "+447911123456").Hint);
    }

    [Fact]
    public void The_lookup_key_is_the_same_from_the_identifier_and_from_a_client_digest_and_depends_on_the_key()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        var hasher = new IdentifierHasher(key);
        var identifier = normalizer.Normalize("07911 123456", "GB")!;

        var fromClient = hasher.LookupKey(SHA256.HashData(Encoding.UTF8.GetBytes("+447911123456")));

        Assert.Equal(hasher.LookupKey(identifier), fromClient);
        using var batch = hasher.CreateBatch();
        Assert.Equal(fromClient, batch.LookupKey(identifier));
        Assert.Equal(fromClient, batch.LookupKey(identifier));
        Assert.NotEqual(fromClient, new IdentifierHasher(RandomNumberGenerator.GetBytes(32)).LookupKey(identifier));
        Assert.Throws<ArgumentException>(() => new IdentifierHasher(new byte[16]));
    }

    [Fact]
    public void Codes_are_six_digits_and_verify_only_for_their_challenge()
    {
        var codes = new VerificationCodes(RandomNumberGenerator.GetBytes(32));
        var challenge = Guid.NewGuid();
        var code = VerificationCodes.Generate();
        var hash = codes.Hash(challenge, code);

        Assert.True(VerificationCodes.IsWellFormed(code));
        Assert.True(codes.Matches(challenge, code, hash));
        Assert.False(codes.Matches(Guid.NewGuid(), code, hash));
        Assert.False(codes.Matches(challenge, "abcdef", hash));
    }
}
