using System.Globalization;
using System.Text;

namespace Talko.Core.Conversations;

/// <summary>
/// Hashtags: '#' followed by letters, digits, '_' or '-', not preceded by a word character (so
/// "a#b" and "&amp;#39;" are not tags). Compared case-insensitively in their normalised form.
/// </summary>
public static class Hashtags
{
    public const int MaxLength = 64;

    /// <summary>The distinct normalised tags in <paramref name="text"/>, in order of appearance.</summary>
    public static IReadOnlyList<string> Parse(string? text, int maxTags = 32)
    {
        var tags = new List<string>();
        if (string.IsNullOrEmpty(text))
        {
            return tags;
        }

        for (var i = 0; i < text.Length && tags.Count < maxTags; i++)
        {
            if (text[i] != '#' || (i > 0 && IsTagChar(text[i - 1])))
            {
                continue;
            }

            var end = i + 1;
            while (end < text.Length && IsTagChar(text[end]))
            {
                end++;
            }

            if (end - i - 1 is > 0 and <= MaxLength && Normalize(text[(i + 1)..end]) is { } tag && !tags.Contains(tag))
            {
                tags.Add(tag);
            }

            i = end - 1;
        }

        return tags;
    }

    /// <summary>A tag as stored and searched: without '#', NFC, lower case. Null when it is not a valid tag.</summary>
    public static string? Normalize(string? raw)
    {
        var text = raw?.Trim().TrimStart('#') ?? string.Empty;
        if (text.Length is 0 or > MaxLength || !text.All(IsTagChar) || !text.Any(char.IsLetterOrDigit))
        {
            return null;
        }

        return text.Normalize(NormalizationForm.FormC).ToLower(CultureInfo.InvariantCulture);
    }

    private static bool IsTagChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '-' || char.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark;
}
