namespace Talko.Core.Accounts;

/// <summary>
/// An identifier in its canonical form: an email trimmed, lower-cased and with an ASCII (punycode)
/// domain, or a phone number in E.164. Two spellings of one address normalise to equal values.
/// </summary>
public sealed record NormalizedIdentifier(IdentifierKind Kind, string Value)
{
    /// <summary>
    /// A form safe to show back to the user without storing the identifier itself:
    /// "a***@example.com", "+44*******89".
    /// </summary>
    public string Hint => Kind switch
    {
        IdentifierKind.Email => EmailHint(Value),
        _ => Value.Length <= 5 ? Value : string.Concat(Value.AsSpan(0, 3), new string('*', Value.Length - 5), Value.AsSpan(Value.Length - 2)),
    };

    private static string EmailHint(string email)
    {
        var at = email.LastIndexOf('@');
        return string.Concat(email.AsSpan(0, 1), "***", email.AsSpan(at));
    }
}
