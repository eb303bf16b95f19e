using System.Security.Cryptography;
using System.Text;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>Computes Authorization headers from a challenge, as a client would (RFC 3261 section 22.4, RFC 8760).</summary>
internal static class DigestClient
{
    public static string Param(string challenge, string name)
    {
        var start = challenge.IndexOf(name + "=", StringComparison.Ordinal) + name.Length + 1;
        if (challenge[start] == '"')
        {
            return challenge[(start + 1)..challenge.IndexOf('"', start + 1)];
        }

        var end = challenge.IndexOf(',', start);
        return (end < 0 ? challenge[start..] : challenge[start..end]).Trim();
    }

    public static string Authorization(string challenge, string method, string uri, string username, string password, int nc = 1, string cnonce = "0a4f113b")
    {
        var algorithm = Param(challenge, "algorithm");
        var realm = Param(challenge, "realm");
        var nonce = Param(challenge, "nonce");
        Func<string, string> h = algorithm == "SHA-256"
            ? s => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(s)))
            : s => Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes(s)));
        var ncText = nc.ToString("x8");
        var response = h($"{h($"{username}:{realm}:{password}")}:{nonce}:{ncText}:{cnonce}:auth:{h($"{method}:{uri}")}");
        return $"Digest username=\"{username}\", realm=\"{realm}\", nonce=\"{nonce}\", uri=\"{uri}\", response=\"{response}\", algorithm={algorithm}, cnonce=\"{cnonce}\", qop=auth, nc={ncText}";
    }
}
