namespace Talko.Tests.Infrastructure.Sip;

/// <summary>Builds message text from lines joined by CRLF, ending with the blank line and an optional body.</summary>
internal static class SipText
{
    /// <summary>"{len}" in a line becomes the body's length in bytes.</summary>
    public static string MessageWithBody(string body, params string[] lines) =>
        string.Join("\r\n", lines).Replace("{len}", System.Text.Encoding.UTF8.GetByteCount(body).ToString()) + "\r\n\r\n" + body;

    public static string Message(params string[] lines) => MessageWithBody("", lines);
}
