using System.Security.Cryptography;
using System.Text;

namespace Talko.Core.Media.WebRtc.Ice;

/// <summary>
/// An ICE username fragment and password (RFC 8839 section 5.4: ice-chars, at least 4 and 22 characters; at most
/// 256). The password keys MESSAGE-INTEGRITY of the checks this side answers.
/// </summary>
public sealed record IceCredentials
{
    private const string IceChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

    public IceCredentials(string ufrag, string password)
    {
        if (!IsValid(ufrag, 4) || !IsValid(password, 22))
        {
            throw new ArgumentException("ICE credentials are ice-chars: a ufrag of 4-256, a password of 22-256");
        }

        Ufrag = ufrag;
        Password = password;
        PasswordBytes = Encoding.ASCII.GetBytes(password);
    }

    public string Ufrag { get; }
    public string Password { get; }

    /// <summary>The short-term credential key (RFC 8489 section 9.1.1: the password itself; ice-chars need no SASLprep).</summary>
    public ReadOnlyMemory<byte> PasswordBytes { get; }

    /// <summary>Fresh random credentials: 8 and 24 ice-chars (48 and 144 bits, above RFC 8445's 24 and 128).</summary>
    public static IceCredentials Generate() => new(RandomNumberGenerator.GetString(IceChars, 8), RandomNumberGenerator.GetString(IceChars, 24));

    public static bool IsValid(string? value, int minimum) =>
        value is not null && value.Length >= minimum && value.Length <= 256 && value.All(c => IceChars.Contains(c, StringComparison.Ordinal));
}
