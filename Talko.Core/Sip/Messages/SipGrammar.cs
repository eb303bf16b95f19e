namespace Talko.Core.Sip.Messages;

/// <summary>Character classes and small scanners from the RFC 3261 section 25 grammar.</summary>
internal static class SipGrammar
{
    /// <summary>token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~").</summary>
    public static bool IsTokenChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '!' or '%' or '*' or '_' or '+' or '`' or '\'' or '~';

    public static bool IsToken(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!IsTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsWhitespace(char c) => c is ' ' or '\t';

    public static ReadOnlySpan<char> TrimLws(ReadOnlySpan<char> s) => s.Trim(" \t");

    /// <summary>Index of <paramref name="separator"/> outside quoted strings and angle brackets, or -1.</summary>
    public static int IndexOfUnquoted(ReadOnlySpan<char> s, char separator, int start = 0)
    {
        var inQuotes = false;
        var inAngle = false;
        for (var i = start; i < s.Length; i++)
        {
            var c = s[i];
            if (inQuotes)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }

                continue;
            }
            if (c == separator && !inAngle)
            {
                return i;
            }

            if (c == '"' && !inAngle)
            {
                inQuotes = true;
            }
            else if (c == '<')
            {
                inAngle = true;
            }
            else if (c == '>')
            {
                inAngle = false;
            }
        }
        return -1;
    }

    /// <summary>True when every quoted string in <paramref name="s"/> is closed.</summary>
    public static bool QuotesBalanced(ReadOnlySpan<char> s)
    {
        var inQuotes = false;
        for (var i = 0; i < s.Length; i++)
        {
            if (inQuotes && s[i] == '\\')
            { i++; continue; }
            if (s[i] == '"')
            {
                inQuotes = !inQuotes;
            }
        }
        return !inQuotes;
    }

    /// <summary>
    /// Splits a header value at top-level commas (RFC 3261 section 7.3.1). Empty elements are reported
    /// as empty strings so callers can reject them where the grammar forbids null list elements.
    /// </summary>
    public static bool TrySplitList(string value, List<string> into, int maxValues)
    {
        var start = 0;
        while (true)
        {
            var comma = IndexOfUnquoted(value, ',', start);
            var end = comma < 0 ? value.Length : comma;
            into.Add(TrimLws(value.AsSpan(start, end - start)).ToString());
            if (into.Count > maxValues)
            {
                return false;
            }

            if (comma < 0)
            {
                return true;
            }

            start = comma + 1;
        }
    }

    /// <summary>Reads a quoted-string starting at <paramref name="s"/>[0] == '"'; returns its unescaped content.</summary>
    public static bool TryReadQuoted(ReadOnlySpan<char> s, out string content, out int consumed)
    {
        content = "";
        consumed = 0;
        if (s.IsEmpty || s[0] != '"')
        {
            return false;
        }

        var sb = new System.Text.StringBuilder();
        for (var i = 1; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '\\')
            {
                // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F): anything but CR and LF may be escaped.
                if (i + 1 >= s.Length || s[i + 1] is '\r' or '\n')
                {
                    return false;
                }

                sb.Append(s[++i]);
                continue;
            }
            if (c == '"')
            {
                content = sb.ToString();
                consumed = i + 1;
                return true;
            }
            sb.Append(c);
        }
        return false;
    }

    public static string Quote(string s)
    {
        if (s.IndexOfAny(['"', '\\']) < 0)
        {
            return "\"" + s + "\"";
        }

        var sb = new System.Text.StringBuilder(s.Length + 4).Append('"');
        foreach (var c in s)
        {
            if (c is '"' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }
        return sb.Append('"').ToString();
    }

    /// <summary>Parses a non-negative decimal with leading zeros allowed; false on overflow past <paramref name="max"/>.</summary>
    public static bool TryParseBoundedNumber(ReadOnlySpan<char> s, long max, out long value)
    {
        value = 0;
        if (s.IsEmpty || s.Length > 20)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value * 10 + (c - '0');
            if (value > max)
            {
                return false;
            }
        }
        return true;
    }
}
