namespace Talko.Core.Sip.Messages;

/// <summary>Method names the stack knows. Methods are case-sensitive tokens (RFC 3261 section 7.1); unknown ones stay strings.</summary>
public static class SipMethods
{
    public const string Invite = "INVITE";
    public const string Ack = "ACK";
    public const string Bye = "BYE";
    public const string Cancel = "CANCEL";
    public const string Options = "OPTIONS";
    public const string Register = "REGISTER";
    public const string Info = "INFO";
    public const string Update = "UPDATE";

    /// <summary>RFC 3515: asks the peer to send a request (here: an INVITE) to another URI.</summary>
    public const string Refer = "REFER";

    /// <summary>RFC 6665; in a REFER's dialog it reports the referred request's progress as message/sipfrag (RFC 3515 section 2.4.4).</summary>
    public const string Notify = "NOTIFY";

    /// <summary>The stack's constant for a known method, so parsing one allocates no name; a new string otherwise.</summary>
    internal static string Intern(ReadOnlySpan<char> method) => method switch
    {
        Register => Register,
        Invite => Invite,
        Ack => Ack,
        Bye => Bye,
        Cancel => Cancel,
        Options => Options,
        Info => Info,
        Update => Update,
        Refer => Refer,
        Notify => Notify,
        _ => method.ToString(),
    };
}
