namespace Talko.Core.Sip.Messages;

/// <summary>
/// An ordered list of ";name=value" parameters as found on URIs and header values (RFC 3261 section 7.3.1).
/// Names compare case-insensitively; a parameter without value has a null value.
/// </summary>
public sealed class SipParameters : IEnumerable<KeyValuePair<string, string?>>
{
    private readonly List<KeyValuePair<string, string?>> items = [];

    public int Count => items.Count;

    public bool Contains(string name) => IndexOf(name) >= 0;

    public string? this[string name]
    {
        get
        {
            var i = IndexOf(name);
            return i < 0 ? null : items[i].Value;
        }
    }

    public bool TryGet(string name, out string? value)
    {
        var i = IndexOf(name);
        value = i < 0 ? null : items[i].Value;
        return i >= 0;
    }

    public void Set(string name, string? value)
    {
        var i = IndexOf(name);
        if (i < 0)
        {
            items.Add(new(name, value));
        }
        else
        {
            items[i] = new(items[i].Key, value);
        }
    }

    public void Remove(string name)
    {
        var i = IndexOf(name);
        if (i >= 0)
        {
            items.RemoveAt(i);
        }
    }

    public SipParameters Clone()
    {
        var copy = new SipParameters();
        copy.items.AddRange(items);
        return copy;
    }

    private int IndexOf(string name)
    {
        for (var i = 0; i < items.Count; i++)
        {
            if (string.Equals(items[i].Key, name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// Parses "name[=value]" pairs separated by ';' (the leading ';' already consumed), with whitespace allowed
    /// around ';' and '=' (SEMI and EQUAL in RFC 3261). Empty names, as in ";;", are syntax errors (RFC 4475 3.1.2.1).
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<char> s, SipParameters into, bool allowQuotedValues)
    {
        while (true)
        {
            var semi = SipGrammar.IndexOfUnquoted(s, ';');
            var part = semi < 0 ? s : s[..semi];
            var eq = part.IndexOf('=');
            var name = SipGrammar.TrimLws(eq < 0 ? part : part[..eq]);
            if (!SipGrammar.IsToken(name))
            {
                return false;
            }

            string? value = null;
            if (eq >= 0)
            {
                var raw = SipGrammar.TrimLws(part[(eq + 1)..]);
                if (raw.IsEmpty)
                {
                    return false;
                }

                if (raw[0] == '"')
                {
                    if (!allowQuotedValues || !SipGrammar.TryReadQuoted(raw, out var q, out var used) || used != raw.Length)
                    {
                        return false;
                    }

                    value = q;
                }
                else
                {
                    foreach (var c in raw)
                    {
                        if (!(SipGrammar.IsTokenChar(c) || c is ':' or '[' or ']' or '/' or '&' or '$' or '@' or '?' or '(' or ')'))
                        {
                            return false;
                        }
                    }

                    value = raw.ToString();
                }
            }
            into.items.Add(new(name.ToString(), value));
            if (semi < 0)
            {
                return true;
            }

            s = s[(semi + 1)..];
        }
    }

    internal void AppendTo(System.Text.StringBuilder sb)
    {
        foreach (var (name, value) in items)
        {
            sb.Append(';').Append(name);
            if (value is null)
            {
                continue;
            }

            sb.Append('=');
            if (value.Length > 0 && NeedsQuoting(value))
            {
                sb.Append(SipGrammar.Quote(value));
            }
            else
            {
                sb.Append(value);
            }
        }
    }

    private static bool NeedsQuoting(string value)
    {
        foreach (var c in value)
        {
            if (!(SipGrammar.IsTokenChar(c) || c is ':' or '[' or ']' or '/' or '@' or '&' or '$'))
            {
                return true;
            }
        }

        return false;
    }

    public IEnumerator<KeyValuePair<string, string?>> GetEnumerator() => items.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
