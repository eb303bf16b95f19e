using System.Text;

namespace Talko.Core.Sip.Messages;

/// <summary>
/// name-addr or addr-spec with header parameters, as in From, To, Contact, Route and Record-Route
/// (RFC 3261 section 20.10, 20.20, 20.39).
/// </summary>
public sealed class SipNameAddress
{
    public SipNameAddress(SipUri uri, string? displayName = null)
    {
        Uri = uri;
        DisplayName = displayName;
    }

    public string? DisplayName { get; set; }

    public SipUri Uri { get; set; }

    public SipParameters Parameters { get; } = new();

    public string? Tag
    {
        get => Parameters["tag"];
        set
        {
            if (value is null)
            {
                Parameters.Remove("tag");
            }
            else
            {
                Parameters.Set("tag", value);
            }
        }
    }

    public SipNameAddress Clone()
    {
        var copy = new SipNameAddress(Uri.Clone(), DisplayName);
        foreach (var (k, v) in Parameters)
        {
            copy.Parameters.Set(k, v);
        }

        return copy;
    }

    public static bool TryParse(ReadOnlySpan<char> s, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipNameAddress? result)
    {
        result = null;
        s = SipGrammar.TrimLws(s);
        if (s.IsEmpty)
        {
            return false;
        }

        string? display = null;
        var angle = SipGrammar.IndexOfUnquoted(s, '<');
        if (s[0] == '"')
        {
            if (!SipGrammar.TryReadQuoted(s, out var quoted, out var used))
            {
                return false;
            }

            display = quoted;
            s = SipGrammar.TrimLws(s[used..]);
            if (s.IsEmpty || s[0] != '<')
            {
                return false;
            }

            angle = 0;
        }
        else if (angle > 0)
        {
            // display-name = *(token LWS): anything but tokens and spaces before '<' is malformed (RFC 4475 3.1.2.15).
            var name = SipGrammar.TrimLws(s[..angle]);
            foreach (var c in name)
            {
                if (!(SipGrammar.IsTokenChar(c) || SipGrammar.IsWhitespace(c)))
                {
                    return false;
                }
            }

            display = name.IsEmpty ? null : name.ToString();
        }

        SipUri? uri;
        ReadOnlySpan<char> paramPart;
        if (angle >= 0)
        {
            var rest = s[(angle + 1)..];
            var close = rest.IndexOf('>');
            if (close < 0)
            {
                return false;
            }

            if (!SipUri.TryParse(rest[..close], out uri))
            {
                return false;
            }

            paramPart = SipGrammar.TrimLws(rest[(close + 1)..]);
        }
        else
        {
            // addr-spec: the URI may not carry ';', '?' or ',' itself (RFC 3261 section 20.10), so the first ';' starts header params.
            var semi = s.IndexOf(';');
            var uriText = semi < 0 ? s : s[..semi];
            uriText = SipGrammar.TrimLws(uriText);
            if (uriText.IndexOfAny('?', ',') >= 0 || !SipUri.TryParse(uriText, out uri))
            {
                return false;
            }

            paramPart = semi < 0 ? default : s[semi..];
        }

        var addr = new SipNameAddress(uri, display);
        if (!paramPart.IsEmpty)
        {
            if (paramPart[0] != ';')
            {
                return false;
            }

            if (!SipParameters.TryParse(paramPart[1..], addr.Parameters, allowQuotedValues: true))
            {
                return false;
            }
        }
        result = addr;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(96);
        AppendTo(sb);
        return sb.ToString();
    }

    /// <summary>Writes the name-address into <paramref name="sb"/>: a message is serialised without a string per header.</summary>
    internal void AppendTo(StringBuilder sb)
    {
        if (!string.IsNullOrEmpty(DisplayName))
        {
            sb.Append(SipGrammar.Quote(DisplayName)).Append(' ');
        }

        sb.Append('<');
        Uri.AppendTo(sb);
        sb.Append('>');
        Parameters.AppendTo(sb);
    }
}
