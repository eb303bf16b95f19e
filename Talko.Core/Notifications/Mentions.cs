namespace Talko.Core.Notifications;

/// <summary>A person who can be mentioned: their id and the display name others type after "@".</summary>
public readonly record struct Mentionable(Guid UserId, string DisplayName);

/// <summary>
/// Finds who a text mentions. The rule (ADR 0550): "@" at the start of the text or after a character
/// that is not a letter or digit, followed by a member's display name, compared without regard to case
/// and with spaces optional ("@Ana Lopez" and "@analopez" both mention Ana Lopez), and not followed by
/// a letter or digit ("@Anastasia" does not mention Ana). Where two names match at one "@", the longer
/// wins. Only members can be mentioned, so a mention never reaches a stranger.
/// </summary>
public static class Mentions
{
    /// <summary>The members <paramref name="text"/> mentions, at most <paramref name="max"/> of them.</summary>
    public static IReadOnlyCollection<Guid> Find(string? text, IReadOnlyCollection<Mentionable> members, int max)
    {
        if (string.IsNullOrEmpty(text) || members.Count == 0 || max <= 0 || !text.Contains('@', StringComparison.Ordinal))
        {
            return [];
        }

        var candidates = members
            .Where(m => !string.IsNullOrWhiteSpace(m.DisplayName))
            .SelectMany(m => new[] { (m.UserId, Name: m.DisplayName.Trim()), (m.UserId, Name: string.Concat(m.DisplayName.Where(c => !char.IsWhiteSpace(c)))) })
            .Distinct()
            .OrderByDescending(c => c.Name.Length)
            .ToList();
        var found = new HashSet<Guid>();
        for (var at = text.IndexOf('@', StringComparison.Ordinal); at >= 0 && found.Count < max; at = text.IndexOf('@', at + 1))
        {
            if (at > 0 && char.IsLetterOrDigit(text[at - 1]))
            {
                continue; // An e-mail address, not a mention.
            }

            var rest = text.AsSpan(at + 1);
            foreach (var (userId, name) in candidates)
            {
                if (rest.StartsWith(name, StringComparison.OrdinalIgnoreCase) && (rest.Length == name.Length || !char.IsLetterOrDigit(rest[name.Length])))
                {
                    found.Add(userId);
                    break;
                }
            }
        }

        return found;
    }
}
