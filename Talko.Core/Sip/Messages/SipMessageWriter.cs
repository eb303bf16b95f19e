using System.Text;

namespace Talko.Core.Sip.Messages;

/// <summary>Serialises messages in the long header forms, one Via per line, Content-Length always present.</summary>
public static class SipMessageWriter
{
    /// <summary>Capacity of the builder kept per thread: a typical REGISTER or its answer fits without growing.</summary>
    private const int BuilderCapacity = 1024;

    /// <summary>
    /// One builder per thread, reused for every message it writes (the 2 KB a new builder costs was a third of what
    /// writing an answer allocated); one that grew past the usual size is not kept.
    /// </summary>
    [ThreadStatic]
    private static StringBuilder? cachedBuilder;

    public static byte[] ToBytes(SipMessage message)
    {
        var sb = RentBuilder();
        if (message is SipRequest request)
        {
            sb.Append(request.Method).Append(' ');
            request.Uri.AppendTo(sb);
            sb.Append(" SIP/2.0\r\n");
        }
        else if (message is SipResponse response)
        {
            sb.Append("SIP/2.0 ").Append(response.StatusCode).Append(' ').Append(response.ReasonPhrase).Append("\r\n");
        }

        foreach (var via in message.Vias)
        {
            via.AppendTo(Start(sb, SipHeaderNames.Via));
            End(sb);
        }

        if (message is SipRequest { MaxForwards: { } mf })
        {
            Line(sb, SipHeaderNames.MaxForwards, mf.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var route in message.Routes)
        {
            NameAddressLine(sb, SipHeaderNames.Route, route);
        }

        foreach (var route in message.RecordRoutes)
        {
            NameAddressLine(sb, SipHeaderNames.RecordRoute, route);
        }

        NameAddressLine(sb, SipHeaderNames.From, message.From);
        NameAddressLine(sb, SipHeaderNames.To, message.To);
        Line(sb, SipHeaderNames.CallId, message.CallId);
        Start(sb, SipHeaderNames.CSeq).Append(message.CSeq.Number).Append(' ').Append(message.CSeq.Method);
        End(sb);
        if (message.ContactIsWildcard)
        {
            Line(sb, SipHeaderNames.Contact, "*");
        }

        foreach (var contact in message.Contacts)
        {
            NameAddressLine(sb, SipHeaderNames.Contact, contact);
        }

        if (message.Expires is { } expires)
        {
            Line(sb, SipHeaderNames.Expires, expires.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var field in message.Headers)
        {
            Line(sb, field.Name, field.Value);
        }

        return Finish(sb, message.ContentType, message.Body);
    }

    /// <summary>A stateless answer to a request that could not be parsed fully (RFC 3261 section 8.2.6.2).</summary>
    /// <remarks>Via values are echoed as received, except a parsed top Via, which carries received/rport (RFC 3581).</remarks>
    public static byte[] ErrorResponse(SipMalformedRequest request, int statusCode, string toTag, IEnumerable<SipHeaderField>? extraHeaders = null, string? reasonPhrase = null)
    {
        var sb = RentBuilder();
        sb.Append("SIP/2.0 ").Append(statusCode).Append(' ').Append(reasonPhrase ?? SipStatusCodes.ReasonPhrase(statusCode)).Append("\r\n");
        for (var i = 0; i < request.RawVias.Count; i++)
        {
            Line(sb, SipHeaderNames.Via, i == 0 && request.TopVia is { } top ? top.ToString() : request.RawVias[i]);
        }

        if (request.From is not null)
        {
            Line(sb, SipHeaderNames.From, request.From);
        }

        if (request.To is not null)
        {
            Line(sb, SipHeaderNames.To, request.To.Contains("tag=", StringComparison.OrdinalIgnoreCase) ? request.To : request.To + ";tag=" + toTag);
        }

        if (request.CallId is not null)
        {
            Line(sb, SipHeaderNames.CallId, request.CallId);
        }

        if (request.CSeq is not null)
        {
            Line(sb, SipHeaderNames.CSeq, request.CSeq);
        }

        if (extraHeaders is not null)
        {
            foreach (var f in extraHeaders)
            {
                Line(sb, f.Name, f.Value);
            }
        }

        return Finish(sb, null, []);
    }

    private static void Line(StringBuilder sb, string name, string value) => sb.Append(name).Append(": ").Append(value).Append("\r\n");

    private static void NameAddressLine(StringBuilder sb, string name, SipNameAddress value)
    {
        value.AppendTo(Start(sb, name));
        End(sb);
    }

    private static StringBuilder Start(StringBuilder sb, string name) => sb.Append(name).Append(": ");

    private static void End(StringBuilder sb) => sb.Append("\r\n");

    private static StringBuilder RentBuilder()
    {
        var sb = cachedBuilder ?? new StringBuilder(BuilderCapacity);
        cachedBuilder = null;
        return sb.Clear();
    }

    /// <summary>Turns the head into bytes with the body after it, and gives the builder back to the thread.</summary>
    private static byte[] Finish(StringBuilder sb, string? contentType, byte[] body)
    {
        if (body.Length > 0 && contentType is not null)
        {
            Line(sb, SipHeaderNames.ContentType, contentType);
        }

        sb.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        var head = sb.ToString();
        if (sb.Capacity <= BuilderCapacity)
        {
            cachedBuilder = sb;
        }

        var headLength = Encoding.UTF8.GetByteCount(head);
        var bytes = new byte[headLength + body.Length];
        Encoding.UTF8.GetBytes(head, bytes);
        body.CopyTo(bytes, headLength);
        return bytes;
    }
}
