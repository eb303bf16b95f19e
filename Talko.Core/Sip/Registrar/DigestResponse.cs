using Talko.Core.Sip.Messages;

namespace Talko.Core.Sip.Registrar;

/// <summary>The parameters of an Authorization header with the Digest scheme (RFC 3261 section 25.1, dig-resp).</summary>
internal sealed record DigestResponse(string Username, string Realm, string Nonce, string? Uri, string? Response,
    string? Algorithm, string? Cnonce, string? Qop, string? NonceCount)
{
    public static bool TryParse(string header, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DigestResponse? result)
    {
        result = null;
        var span = header.AsSpan().Trim();
        if (!span.StartsWith("Digest", StringComparison.OrdinalIgnoreCase) || span.Length < 7 || !SipGrammar.IsWhitespace(span[6]))
        {
            return false;
        }

        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var parts = new List<string>();
        if (!SipGrammar.TrySplitList(span[7..].ToString(), parts, 32))
        {
            return false;
        }

        foreach (var part in parts)
        {
            var eq = part.IndexOf('=');
            if (eq <= 0)
            {
                return false;
            }

            var name = part[..eq].Trim();
            var raw = part.AsSpan(eq + 1).Trim(" \t");
            string value;
            if (raw.Length > 0 && raw[0] == '"')
            {
                if (!SipGrammar.TryReadQuoted(raw, out value, out _))
                {
                    return false;
                }
            }
            else
            {
                value = raw.ToString();
            }
            values[name] = value;
        }
        if (!values.TryGetValue("username", out var username) || !values.TryGetValue("realm", out var realm) || !values.TryGetValue("nonce", out var nonce))
        {
            return false;
        }

        result = new DigestResponse(username, realm, nonce, values.GetValueOrDefault("uri"), values.GetValueOrDefault("response"),
            values.GetValueOrDefault("algorithm"), values.GetValueOrDefault("cnonce"), values.GetValueOrDefault("qop"), values.GetValueOrDefault("nc"));
        return true;
    }
}
