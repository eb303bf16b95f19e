namespace Talko.Core.Sip.Messages;

/// <summary>Random tags, branches and Call-IDs (RFC 3261 sections 8.1.1.4, 8.1.1.7, 19.3): unguessable, URL-safe.</summary>
public static class SipIdentifiers
{
    public static string NewTag() => Random(8);

    /// <summary>A branch with the RFC 3261 magic cookie.</summary>
    public static string NewBranch() => SipVia.BranchCookie + Random(12);

    public static string NewCallId() => Random(16);

    private static string Random(int bytes)
    {
        Span<byte> buffer = stackalloc byte[bytes];
        BatchedRandom.Fill(buffer);
        return Convert.ToHexStringLower(buffer);
    }
}
