using System.Text;

namespace Talko.Core.Sip.Sdp;

/// <summary>Media direction attributes (RFC 3264 section 5.1, RFC 4566 section 6).</summary>
public enum SdpDirection
{
    SendReceive,
    SendOnly,
    ReceiveOnly,
    Inactive,
}

/// <summary>One "m=" section with its connection and attributes (RFC 4566 section 5.14).</summary>
public sealed class SdpMedia
{
    public string Media { get; set; } = "audio";

    public int Port { get; set; }

    public string Protocol { get; set; } = "RTP/AVP";

    /// <summary>Payload formats in preference order, as written.</summary>
    public List<string> Formats { get; } = [];

    /// <summary>The c= address of this section, or null to use the session's.</summary>
    public string? ConnectionAddress { get; set; }

    public List<KeyValuePair<string, string?>> Attributes { get; } = [];

    public string? Attribute(string name) => Attributes.FirstOrDefault(a => a.Key == name).Value;

    public bool HasAttribute(string name) => Attributes.Any(a => a.Key == name);

    /// <summary>The direction attribute, sendrecv when absent (RFC 3264 section 5.1).</summary>
    public SdpDirection Direction =>
        HasAttribute("inactive") ? SdpDirection.Inactive
        : HasAttribute("sendonly") ? SdpDirection.SendOnly
        : HasAttribute("recvonly") ? SdpDirection.ReceiveOnly
        : SdpDirection.SendReceive;

    /// <summary>"a=rtpmap:PT encoding/clock[/channels]" entries keyed by payload type.</summary>
    public Dictionary<int, string> RtpMaps()
    {
        var maps = new Dictionary<int, string>();
        foreach (var (name, value) in Attributes)
        {
            if (name != "rtpmap" || value is null)
            {
                continue;
            }

            var space = value.IndexOf(' ');
            if (space > 0 && int.TryParse(value.AsSpan(0, space), out var pt))
            {
                maps[pt] = value[(space + 1)..].Trim();
            }
        }
        return maps;
    }

    public static string DirectionAttribute(SdpDirection direction) => direction switch
    {
        SdpDirection.SendOnly => "sendonly",
        SdpDirection.ReceiveOnly => "recvonly",
        SdpDirection.Inactive => "inactive",
        _ => "sendrecv",
    };

    internal void AppendTo(StringBuilder sb)
    {
        sb.Append("m=").Append(Media).Append(' ').Append(Port).Append(' ').Append(Protocol);
        foreach (var f in Formats)
        {
            sb.Append(' ').Append(f);
        }

        sb.Append("\r\n");
        if (ConnectionAddress is not null)
        {
            sb.Append("c=IN ").Append(SdpSession.AddressType(ConnectionAddress)).Append(' ').Append(ConnectionAddress).Append("\r\n");
        }

        foreach (var (name, value) in Attributes)
        {
            sb.Append("a=").Append(name);
            if (value is not null)
            {
                sb.Append(':').Append(value);
            }

            sb.Append("\r\n");
        }
    }
}
