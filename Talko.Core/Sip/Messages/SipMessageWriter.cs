using System.Text;

namespace Talko.Core.Sip.Messages;

/// <summary>Serialises messages in the long header forms, one Via per line, Content-Length always present.</summary>
public static class SipMessageWriter
{
    public static byte[] ToBytes(SipMessage message)
    {
        var sb = new StringBuilder(512);
        if (message is SipRequest request)
        {
            sb.Append(request.Method).Append(' ').Append(request.Uri).Append(" SIP/2.0\r\n");
        }
        else if (message is SipResponse response)
        {
            sb.Append("SIP/2.0 ").Append(response.StatusCode).Append(' ').Append(response.ReasonPhrase).Append("\r\n");
        }

        foreach (var via in message.Vias)
        {
            Line(sb, SipHeaderNames.Via, via.ToString());
        }

        if (message is SipRequest { MaxForwards: { } mf })
        {
            Line(sb, SipHeaderNames.MaxForwards, mf.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var route in message.Routes)
        {
            Line(sb, SipHeaderNames.Route, route.ToString());
        }

        foreach (var route in message.RecordRoutes)
        {
            Line(sb, SipHeaderNames.RecordRoute, route.ToString());
        }

        Line(sb, SipHeaderNames.From, message.From.ToString());
        Line(sb, SipHeaderNames.To, message.To.ToString());
        Line(sb, SipHeaderNames.CallId, message.CallId);
        Line(sb, SipHeaderNames.CSeq, message.CSeq.ToString());
        if (message.ContactIsWildcard)
        {
            Line(sb, SipHeaderNames.Contact, "*");
        }

        foreach (var contact in message.Contacts)
        {
            Line(sb, SipHeaderNames.Contact, contact.ToString());
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
        var sb = new StringBuilder(384);
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

    private static byte[] Finish(StringBuilder sb, string? contentType, byte[] body)
    {
        if (body.Length > 0 && contentType is not null)
        {
            Line(sb, SipHeaderNames.ContentType, contentType);
        }

        sb.Append("Content-Length: ").Append(body.Length).Append("\r\n\r\n");
        var headLength = Encoding.UTF8.GetByteCount(sb.ToString());
        var bytes = new byte[headLength + body.Length];
        Encoding.UTF8.GetBytes(sb.ToString(), bytes);
        body.CopyTo(bytes, headLength);
        return bytes;
    }
}
