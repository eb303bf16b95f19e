using System.Globalization;
using System.Text;

namespace Talko.Core.Sip.Sdp;

/// <summary>An SDP session description (RFC 4566): what the stack reads and writes, unknown lines kept out.</summary>
public sealed class SdpSession
{
    public string OriginUser { get; set; } = "-";

    public ulong SessionId { get; set; }

    public ulong SessionVersion { get; set; }

    public string OriginAddress { get; set; } = "0.0.0.0";

    public string SessionName { get; set; } = "-";

    /// <summary>Session-level c= address, or null.</summary>
    public string? ConnectionAddress { get; set; }

    public List<KeyValuePair<string, string?>> Attributes { get; } = [];

    public List<SdpMedia> Media { get; } = [];

    /// <summary>The connection address that applies to <paramref name="media"/> (section 5.7).</summary>
    public string? ConnectionFor(SdpMedia media) => media.ConnectionAddress ?? ConnectionAddress;

    /// <summary>Parses an SDP body; false for anything without v=0, o=, s= and well-formed m= lines.</summary>
    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out SdpSession? session)
    {
        session = null;
        var result = new SdpSession();
        SdpMedia? media = null;
        bool sawVersion = false, sawOrigin = false;
        foreach (var rawLine in text.Split('\n'))
        {
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            if (line.Length < 2 || line[1] != '=')
            {
                return false;
            }

            var value = line[2..];
            switch (line[0])
            {
                case 'v':
                    if (value != "0")
                    {
                        return false;
                    }

                    sawVersion = true;
                    break;
                case 'o':
                    var o = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (o.Length != 6 || !ulong.TryParse(o[1], out var id) || !ulong.TryParse(o[2], out var version))
                    {
                        return false;
                    }

                    (result.OriginUser, result.SessionId, result.SessionVersion, result.OriginAddress) = (o[0], id, version, o[5]);
                    sawOrigin = true;
                    break;
                case 's':
                    result.SessionName = value;
                    break;
                case 'c':
                    var c = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (c.Length != 3 || c[0] != "IN")
                    {
                        return false;
                    }

                    var address = c[2].Split('/')[0]; // multicast TTL suffixes are ignored
                    if (media is null)
                    {
                        result.ConnectionAddress = address;
                    }
                    else
                    {
                        media.ConnectionAddress = address;
                    }

                    break;
                case 'm':
                    var m = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    if (m.Length < 3 || !int.TryParse(m[1].Split('/')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                    {
                        return false;
                    }

                    media = new SdpMedia { Media = m[0], Port = port, Protocol = m[2] };
                    media.Formats.AddRange(m.Skip(3));
                    result.Media.Add(media);
                    break;
                case 'a':
                    var colon = value.IndexOf(':');
                    var attribute = colon < 0 ? new KeyValuePair<string, string?>(value, null) : new(value[..colon], value[(colon + 1)..]);
                    if (media is null)
                    {
                        result.Attributes.Add(attribute);
                    }
                    else
                    {
                        media.Attributes.Add(attribute);
                    }

                    break;
            }
        }
        if (!sawVersion || !sawOrigin)
        {
            return false;
        }

        session = result;
        return true;
    }

    public override string ToString()
    {
        var sb = new StringBuilder(256);
        sb.Append("v=0\r\n");
        sb.Append("o=").Append(OriginUser).Append(' ').Append(SessionId).Append(' ').Append(SessionVersion)
          .Append(" IN ").Append(AddressType(OriginAddress)).Append(' ').Append(OriginAddress).Append("\r\n");
        sb.Append("s=").Append(SessionName).Append("\r\n");
        if (ConnectionAddress is not null)
        {
            sb.Append("c=IN ").Append(AddressType(ConnectionAddress)).Append(' ').Append(ConnectionAddress).Append("\r\n");
        }

        sb.Append("t=0 0\r\n");
        foreach (var (name, value) in Attributes)
        {
            sb.Append("a=").Append(name).Append(value is null ? "" : ":" + value).Append("\r\n");
        }

        foreach (var m in Media)
        {
            m.AppendTo(sb);
        }

        return sb.ToString();
    }

    internal static string AddressType(string address) => address.Contains(':') ? "IP6" : "IP4";
}
