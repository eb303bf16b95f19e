namespace Talko.Core.Sip.Messages;

/// <summary>CSeq (RFC 3261 section 20.16): a sequence number below 2^31 and the method.</summary>
public readonly record struct SipCSeq(long Number, string Method)
{
    public const long MaxNumber = int.MaxValue;

    public static bool TryParse(ReadOnlySpan<char> s, out SipCSeq cseq)
    {
        cseq = default;
        s = SipGrammar.TrimLws(s);
        var space = s.IndexOfAny(' ', '\t');
        if (space < 0)
        {
            return false;
        }

        if (!SipGrammar.TryParseBoundedNumber(s[..space], MaxNumber, out var number))
        {
            return false;
        }

        var method = SipGrammar.TrimLws(s[space..]);
        if (!SipGrammar.IsToken(method))
        {
            return false;
        }

        cseq = new SipCSeq(number, SipMethods.Intern(method));
        return true;
    }

    public override string ToString() => $"{Number} {Method}";
}
