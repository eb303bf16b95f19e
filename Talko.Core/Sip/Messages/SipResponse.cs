namespace Talko.Core.Sip.Messages;

/// <summary>A SIP response (RFC 3261 section 7.2).</summary>
public sealed class SipResponse : SipMessage
{
    public SipResponse(int statusCode, string? reasonPhrase = null)
    {
        StatusCode = statusCode;
        ReasonPhrase = reasonPhrase ?? SipStatusCodes.ReasonPhrase(statusCode);
    }

    public int StatusCode { get; }

    public string ReasonPhrase { get; }

    public bool IsProvisional => StatusCode < 200;

    public bool IsSuccess => StatusCode is >= 200 and < 300;

    public override bool IsRequest => false;

    /// <summary>
    /// Builds a response to <paramref name="request"/> per RFC 3261 section 8.2.6.2: Via, From, To, Call-ID and
    /// CSeq copied; a To tag added for anything but 100 when the request had none.
    /// </summary>
    public static SipResponse For(SipRequest request, int statusCode, string? toTag = null, string? reasonPhrase = null)
    {
        var to = request.To.Clone();
        if (statusCode != SipStatusCodes.Trying && to.Tag is null && toTag is not null)
        {
            to.Tag = toTag;
        }

        var response = new SipResponse(statusCode, reasonPhrase)
        {
            From = request.From,
            To = to,
            CallId = request.CallId,
            CSeq = request.CSeq,
        };
        response.Vias.AddRange(request.Vias);
        if (statusCode is > 100 and < 300)
        {
            response.RecordRoutes.AddRange(request.RecordRoutes);
        }

        return response;
    }

    public override string ToString() => $"{StatusCode} {ReasonPhrase} ({CSeq})";
}
