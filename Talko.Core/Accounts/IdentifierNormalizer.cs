using System.Globalization;
using System.Net.Mail;
using PhoneNumbers;
using Talko.Core.Text;

namespace Talko.Core.Accounts;

/// <summary>
/// Turns what a user typed (or what an address book holds) into a <see cref="NormalizedIdentifier"/>.
/// Anything containing '@' is treated as an email address, anything else as a phone number, parsed with
/// the caller's default region (ISO 3166-1 alpha-2) when it is written in national format.
/// </summary>
public sealed class IdentifierNormalizer
{
    /// <summary>RFC 5321 section 4.5.3.1.3: a path is at most 256 octets, so an address at most 254.</summary>
    public const int MaxEmailLength = 254;

    /// <summary>Longer input is never a phone number; refuse before handing it to the parser.</summary>
    public const int MaxPhoneInputLength = 64;

    private static readonly IdnMapping Idn = new() { AllowUnassigned = false, UseStd3AsciiRules = true };
    private readonly PhoneNumberUtil phones = PhoneNumberUtil.GetInstance();

    public bool TryNormalize(string? raw, string? defaultRegion, out NormalizedIdentifier? identifier, out string error)
    {
        identifier = null;
        var text = raw?.Trim() ?? string.Empty;
        if (text.Length == 0)
        {
            error = "An email address or phone number is required.";
            return false;
        }

        // Only refused here, not rewritten: lookup keys are hashes of the identifier as normalised below.
        if (HumanText.Check(text, TextRule.Name(int.MaxValue, int.MaxValue)).Error is { } refused)
        {
            error = $"The email address or phone number {refused}";
            return false;
        }

        return text.Contains('@')
            ? TryNormalizeEmail(text, out identifier, out error)
            : TryNormalizePhone(text, defaultRegion, out identifier, out error);
    }

    public NormalizedIdentifier? Normalize(string? raw, string? defaultRegion) =>
        TryNormalize(raw, defaultRegion, out var identifier, out _) ? identifier : null;

    private static bool TryNormalizeEmail(string text, out NormalizedIdentifier? identifier, out string error)
    {
        identifier = null;
        var at = text.LastIndexOf('@');
        if (text.Length > MaxEmailLength * 4 || at <= 0 || at == text.Length - 1)
        {
            error = "The email address is not valid.";
            return false;
        }

        string domain;
        try
        {
            // IDN domains (bücher.example) become their ASCII form (xn--bcher-kva.example) so both spellings match.
            domain = Idn.GetAscii(text[(at + 1)..].TrimEnd('.')).ToLowerInvariant();
        }
        catch (ArgumentException)
        {
            error = "The email address has an invalid domain.";
            return false;
        }

        var email = string.Concat(text[..at].ToLowerInvariant(), "@", domain);
        if (email.Length > MaxEmailLength || !domain.Contains('.') || !MailAddress.TryCreate(email, out var parsed) || parsed.Address != email)
        {
            error = "The email address is not valid.";
            return false;
        }

        identifier = new NormalizedIdentifier(IdentifierKind.Email, email);
        error = string.Empty;
        return true;
    }

    private bool TryNormalizePhone(string text, string? defaultRegion, out NormalizedIdentifier? identifier, out string error)
    {
        identifier = null;
        if (text.Length > MaxPhoneInputLength)
        {
            error = "The phone number is too long.";
            return false;
        }

        var region = string.IsNullOrWhiteSpace(defaultRegion) ? null : defaultRegion.Trim().ToUpperInvariant();
        if (region is not null && !phones.GetSupportedRegions().Contains(region))
        {
            error = $"'{defaultRegion}' is not a known region code (ISO 3166-1 alpha-2, e.g. GB).";
            return false;
        }

        PhoneNumber number;
        try
        {
            number = phones.Parse(text, region ?? "ZZ");
        }
        catch (NumberParseException)
        {
            error = region is null && !text.StartsWith('+')
                ? "The phone number is not in international format (+...) and no default region was given."
                : "The phone number is not valid.";
            return false;
        }

        if (!phones.IsValidNumber(number))
        {
            error = "The phone number is not valid.";
            return false;
        }

        identifier = new NormalizedIdentifier(IdentifierKind.Phone, phones.Format(number, PhoneNumberFormat.E164));
        error = string.Empty;
        return true;
    }
}
