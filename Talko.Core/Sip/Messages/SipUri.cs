using System.Net;
using System.Text;

namespace Talko.Core.Sip.Messages;

/// <summary>
/// A SIP or SIPS URI (RFC 3261 section 19.1), a tel URI (RFC 3966), or any other absolute URI kept opaque so
/// that the user agent can refuse it with 416 (RFC 4475 section 3.3.2).
/// </summary>
public sealed class SipUri
{
    public SipUri(string scheme, string? user, string host, int? port = null)
    {
        Scheme = scheme.ToLowerInvariant();
        User = user;
        Host = host;
        Port = port;
    }

    /// <summary>"sip", "sips", "tel" or another scheme in lower case.</summary>
    public string Scheme { get; }

    /// <summary>The user part as written (escapes kept); for tel URIs the number.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    /// <summary>Host name or IPv4 address; IPv6 references keep their brackets. Empty for tel and opaque URIs.</summary>
    public string Host { get; set; }

    public int? Port { get; set; }

    public SipParameters Parameters { get; } = new();

    /// <summary>The escaped headers after '?', as written, or null (RFC 3261 section 19.1.1).</summary>
    public string? Headers { get; set; }

    /// <summary>For schemes other than sip, sips and tel: everything after the colon.</summary>
    public string? Opaque { get; private set; }

    public bool IsSip => Scheme is "sip" or "sips";

    public bool IsTel => Scheme == "tel";

    /// <summary>The "transport" URI parameter, if present.</summary>
    public string? Transport => Parameters["transport"];

    /// <summary>The host as an address when it is a literal IPv4 or IPv6 address.</summary>
    public IPAddress? HostAddress => IPAddress.TryParse(Host.Trim('[', ']'), out var a) ? a : null;

    public SipUri Clone()
    {
        var copy = new SipUri(Scheme, User, Host, Port) { Password = Password, Headers = Headers, Opaque = Opaque };
        foreach (var (k, v) in Parameters)
        {
            copy.Parameters.Set(k, v);
        }

        return copy;
    }

    public static SipUri Parse(string text) =>
        TryParse(text, out var uri) ? uri : throw new FormatException($"Not a valid URI: {text}");

    /// <summary>Strict parse; no surrounding whitespace is allowed (RFC 4475 3.1.2.8, 3.1.2.14).</summary>
    public static bool TryParse(ReadOnlySpan<char> s, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipUri? uri)
    {
        uri = null;
        var colon = s.IndexOf(':');
        if (colon <= 0)
        {
            return false;
        }

        var scheme = s[..colon];
        if (!char.IsAsciiLetter(scheme[0]))
        {
            return false;
        }

        foreach (var c in scheme)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '.'))
            {
                return false;
            }
        }

        var rest = s[(colon + 1)..];
        if (rest.IsEmpty)
        {
            return false;
        }

        foreach (var c in rest)
        {
            if (c <= ' ' || c is '<' or '>' or '"' || c == 0x7f)
            {
                return false;
            }
        }

        var schemeName = scheme.ToString().ToLowerInvariant();
        return schemeName switch
        {
            "sip" or "sips" => TryParseSip(schemeName, rest, out uri),
            "tel" => TryParseTel(rest, out uri),
            _ => TryParseOpaque(schemeName, rest, out uri),
        };
    }

    private static bool TryParseOpaque(string scheme, ReadOnlySpan<char> rest, out SipUri? uri)
    {
        uri = new SipUri(scheme, null, "") { Opaque = rest.ToString() };
        return true;
    }

    private static bool TryParseTel(ReadOnlySpan<char> rest, out SipUri? uri)
    {
        uri = null;
        var semi = rest.IndexOf(';');
        var number = semi < 0 ? rest : rest[..semi];
        if (number.IsEmpty)
        {
            return false;
        }

        foreach (var c in number)
        {
            if (!(char.IsAsciiHexDigit(c) || c is '+' or '-' or '.' or '(' or ')' or '*' or '#' or 'p' or 'w'))
            {
                return false;
            }
        }

        var result = new SipUri("tel", number.ToString(), "");
        if (semi >= 0 && !SipParameters.TryParse(rest[(semi + 1)..], result.Parameters, allowQuotedValues: false))
        {
            return false;
        }

        uri = result;
        return true;
    }

    private static bool TryParseSip(string scheme, ReadOnlySpan<char> rest, out SipUri? uri)
    {
        uri = null;
        string? user = null, password = null;
        // '@' appears in neither host, params nor headers, so one '@' splits off the userinfo.
        var at = rest.IndexOf('@');
        if (at >= 0)
        {
            var userinfo = rest[..at];
            var pw = userinfo.IndexOf(':');
            var userPart = pw < 0 ? userinfo : userinfo[..pw];
            if (userPart.IsEmpty || !IsValidUserChars(userPart, isPassword: false))
            {
                return false;
            }

            if (pw >= 0)
            {
                var pwPart = userinfo[(pw + 1)..];
                if (!IsValidUserChars(pwPart, isPassword: true))
                {
                    return false;
                }

                password = pwPart.ToString();
            }
            user = userPart.ToString();
            rest = rest[(at + 1)..];
        }

        string? headers = null;
        var q = rest.IndexOf('?');
        if (q >= 0)
        {
            var h = rest[(q + 1)..];
            if (h.IsEmpty || !IsValidEscapes(h))
            {
                return false;
            }

            headers = h.ToString();
            rest = rest[..q];
        }

        var semi = rest.IndexOf(';');
        var hostPort = semi < 0 ? rest : rest[..semi];
        if (!TryParseHostPort(hostPort, out var host, out var port))
        {
            return false;
        }

        var result = new SipUri(scheme, user, host, port) { Password = password, Headers = headers };
        if (semi >= 0 && !SipParameters.TryParse(rest[(semi + 1)..], result.Parameters, allowQuotedValues: false))
        {
            return false;
        }

        uri = result;
        return true;
    }

    internal static bool TryParseHostPort(ReadOnlySpan<char> s, out string host, out int? port)
    {
        host = "";
        port = null;
        if (s.IsEmpty)
        {
            return false;
        }

        ReadOnlySpan<char> hostPart;
        ReadOnlySpan<char> portPart = default;
        if (s[0] == '[')
        {
            var close = s.IndexOf(']');
            if (close < 0)
            {
                return false;
            }

            hostPart = s[..(close + 1)];
            if (!IPAddress.TryParse(hostPart[1..^1], out var v6) || v6.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6)
            {
                return false;
            }

            var after = s[(close + 1)..];
            if (!after.IsEmpty)
            {
                if (after[0] != ':')
                {
                    return false;
                }

                portPart = after[1..];
                if (portPart.IsEmpty)
                {
                    return false;
                }
            }
        }
        else
        {
            var colon = s.IndexOf(':');
            hostPart = colon < 0 ? s : s[..colon];
            if (colon >= 0)
            {
                portPart = s[(colon + 1)..];
                if (portPart.IsEmpty)
                {
                    return false;
                }
            }
            if (hostPart.IsEmpty)
            {
                return false;
            }

            foreach (var c in hostPart)
            {
                if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '.'))
                {
                    return false;
                }
            }

            if (hostPart[0] is '-' or '.')
            {
                return false;
            }
        }
        if (!portPart.IsEmpty)
        {
            if (!SipGrammar.TryParseBoundedNumber(portPart, 65535, out var p))
            {
                return false;
            }

            port = (int)p;
        }
        host = hostPart.ToString();
        return true;
    }

    private static bool IsValidUserChars(ReadOnlySpan<char> s, bool isPassword)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c == '%')
            {
                if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
                {
                    return false;
                }

                i += 2;
                continue;
            }
            var ok = char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '!' or '~' or '*' or '\'' or '(' or ')'
                || c is '&' or '=' or '+' or '$' or ',' || (!isPassword && c is ';' or '?' or '/');
            if (!ok)
            {
                return false;
            }
        }
        return true;
    }

    private static bool IsValidEscapes(ReadOnlySpan<char> s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '%')
            {
                continue;
            }

            if (i + 2 >= s.Length || !char.IsAsciiHexDigit(s[i + 1]) || !char.IsAsciiHexDigit(s[i + 2]))
            {
                return false;
            }

            i += 2;
        }
        return true;
    }

    /// <summary>The address-of-record form: scheme, user and host only (RFC 3261 section 10.3 step 5).</summary>
    public string ToAddressOfRecord() => User is null ? $"{Scheme}:{Host}" : $"{Scheme}:{User}@{Host}".ToLowerInvariant();

    public override string ToString()
    {
        if (Opaque is not null)
        {
            return Scheme + ":" + Opaque;
        }

        var sb = new StringBuilder(64);
        AppendTo(sb);
        return sb.ToString();
    }

    /// <summary>Writes the URI into <paramref name="sb"/>: a message is serialised without a string per header part.</summary>
    internal void AppendTo(StringBuilder sb)
    {
        sb.Append(Scheme).Append(':');
        if (Opaque is not null)
        {
            sb.Append(Opaque);
            return;
        }

        if (IsTel)
        {
            sb.Append(User);
        }
        else
        {
            if (User is not null)
            {
                sb.Append(User);
                if (Password is not null)
                {
                    sb.Append(':').Append(Password);
                }

                sb.Append('@');
            }
            sb.Append(Host);
            if (Port is { } p)
            {
                sb.Append(':').Append(p);
            }
        }
        Parameters.AppendTo(sb);
        if (Headers is not null)
        {
            sb.Append('?').Append(Headers);
        }
    }
}
