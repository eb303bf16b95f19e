using System.Text;

namespace Talko.Core.Sip.Messages;

/// <summary>One Via value (RFC 3261 section 20.42) with received and rport (RFC 3581).</summary>
public sealed class SipVia
{
    /// <summary>The magic cookie that marks an RFC 3261 branch (section 8.1.1.7).</summary>
    public const string BranchCookie = "z9hG4bK";

    public SipVia(string transport, string host, int? port)
    {
        Transport = transport.ToUpperInvariant();
        Host = host;
        Port = port;
    }

    /// <summary>UDP, TCP, TLS, SCTP or any token (RFC 4475 3.1.1.10 allows unknown ones).</summary>
    public string Transport { get; }

    public string Host { get; set; }

    public int? Port { get; set; }

    public SipParameters Parameters { get; } = new();

    public string? Branch
    {
        get => Parameters["branch"];
        set => Parameters.Set("branch", value);
    }

    public string? Received
    {
        get => Parameters["received"];
        set => Parameters.Set("received", value);
    }

    /// <summary>True when rport is present, with or without a value.</summary>
    public bool HasRport => Parameters.Contains("rport");

    public int? Rport => int.TryParse(Parameters["rport"], out var p) ? p : null;

    public bool HasRfc3261Branch => Branch?.StartsWith(BranchCookie, StringComparison.Ordinal) == true;

    /// <summary>host[:port] as sent, used in transaction matching (RFC 3261 section 17.2.3).</summary>
    public string SentBy => Port is { } p ? $"{Host}:{p}" : Host;

    public SipVia Clone()
    {
        var copy = new SipVia(Transport, Host, Port);
        foreach (var (k, v) in Parameters)
        {
            copy.Parameters.Set(k, v);
        }

        return copy;
    }

    /// <summary>Parses "SIP / 2.0 / UDP host:port;params", whitespace allowed around '/' (RFC 4475 3.1.1.1).</summary>
    public static bool TryParse(ReadOnlySpan<char> s, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SipVia? via)
    {
        via = null;
        s = SipGrammar.TrimLws(s);
        var slash1 = s.IndexOf('/');
        if (slash1 < 0 || !SipGrammar.TrimLws(s[..slash1]).Equals("SIP", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        s = s[(slash1 + 1)..];
        var slash2 = s.IndexOf('/');
        if (slash2 < 0 || !SipGrammar.IsToken(SipGrammar.TrimLws(s[..slash2])))
        {
            return false;
        }

        s = SipGrammar.TrimLws(s[(slash2 + 1)..]);
        var transportEnd = 0;
        while (transportEnd < s.Length && SipGrammar.IsTokenChar(s[transportEnd]))
        {
            transportEnd++;
        }

        if (transportEnd == 0)
        {
            return false;
        }

        var transport = s[..transportEnd];
        s = s[transportEnd..];
        if (s.IsEmpty || !SipGrammar.IsWhitespace(s[0]))
        {
            return false;
        }

        var semi = SipGrammar.IndexOfUnquoted(s, ';');
        var sentBy = SipGrammar.TrimLws(semi < 0 ? s : s[..semi]);
        // "host : port" is legal (COLON allows whitespace); squeeze it before the strict host parse.
        Span<char> squeezed = stackalloc char[Math.Min(sentBy.Length, 300)];
        var n = 0;
        foreach (var c in sentBy)
        {
            if (SipGrammar.IsWhitespace(c))
            {
                continue;
            }

            if (n == squeezed.Length)
            {
                return false;
            }

            squeezed[n++] = c;
        }
        if (!SipUri.TryParseHostPort(squeezed[..n], out var host, out var port))
        {
            return false;
        }

        var result = new SipVia(transport.ToString(), host, port);
        if (semi >= 0 && !SipParameters.TryParse(s[(semi + 1)..], result.Parameters, allowQuotedValues: true))
        {
            return false;
        }

        if (result.Parameters.TryGet("rport", out var rport) && rport is not null && !SipGrammar.TryParseBoundedNumber(rport, 65535, out _))
        {
            return false;
        }

        if (result.Parameters.TryGet("received", out var received) && (received is null || !System.Net.IPAddress.TryParse(received, out _)))
        {
            return false;
        }

        via = result;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(96);
        AppendTo(sb);
        return sb.ToString();
    }

    /// <summary>Writes the Via value into <paramref name="sb"/>: a message is serialised without a string per Via.</summary>
    internal void AppendTo(StringBuilder sb)
    {
        sb.Append("SIP/2.0/").Append(Transport).Append(' ').Append(SentBy);
        Parameters.AppendTo(sb);
    }
}
