using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Talko.Core.Media.Rtp;
using Talko.Tests.Core.Sip.Messages;

namespace Talko.Tests.Core.Fuzzing;

/// <summary>Where mutation starts: the RFC 4475 torture fixtures, every message the sipp scenarios send, and RTP/RTCP packets.</summary>
internal static partial class FuzzSeeds
{
    public static IReadOnlyList<byte[]> Sip()
    {
        var texts = TortureMessages.Valid().Concat(TortureMessages.Dropped()).Select(f => (string)f[1])
            .Concat(TortureMessages.Answered().Select(f => (string)f[2]))
            .Concat(SippMessages())
            .ToList();
        return [.. texts.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>The messages in every sipp scenario's send elements, with sipp's keywords filled in as sipp would.</summary>
    public static IEnumerable<string> SippMessages()
    {
        var directories = new[] { Path.Combine(AppContext.BaseDirectory, "Infrastructure", "Sip", "Scenarios") };
        foreach (var file in directories.Where(Directory.Exists).SelectMany(d => Directory.GetFiles(d, "*.xml")))
        {
            foreach (var send in XDocument.Load(file).Descendants("send"))
            {
                var lines = send.Value.Split('\n').Select(l => l.Trim()).SkipWhile(l => l.Length == 0).ToList();
                var blank = lines.FindIndex(l => l.Length == 0);
                var headers = blank < 0 ? lines : lines[..blank];
                var body = blank < 0 ? "" : string.Join("\r\n", lines[(blank + 1)..]).Trim() is { Length: > 0 } b ? b + "\r\n" : "";
                var text = string.Join("\r\n", headers) + "\r\n\r\n" + body;
                text = Keyword().Replace(text, match => Fill(match.Groups[1].Value));
                yield return text.Replace("[len]", Encoding.UTF8.GetByteCount(body).ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            }
        }
    }

    private static string Fill(string keyword) => keyword switch
    {
        "local_ip" or "remote_ip" or "media_ip" => "127.0.0.1",
        "local_port" => "5070",
        "remote_port" => "5060",
        "media_port" or "rtpstream_audio_port" => "40000",
        "transport" => "UDP",
        "service" => "alice",
        "call_number" or "pid" => "4242",
        "call_id" => "fuzz-call@127.0.0.1",
        "branch" => "z9hG4bK-fuzz-1",
        "media_ip_type" or "local_ip_type" => "4",
        "peer_tag_param" => ";tag=fuzzpeer",
        "next_url" => "sip:alice@127.0.0.1:5070",
        "authentication" => "Authorization: Digest username=\"alice\", realm=\"talko.test\", nonce=\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\", uri=\"sip:127.0.0.1\", response=\"00000000000000000000000000000000\", algorithm=MD5, cnonce=\"c\", qop=auth, nc=00000001",
        "len" => "[len]",
        _ => "x",
    };

    [GeneratedRegex(@"\[([a-z_]+)\]")]
    private static partial Regex Keyword();

    public static IReadOnlyList<byte[]> Rtp()
    {
        var seeds = new List<byte[]>();
        var payload = new byte[160];
        new Random(8).NextBytes(payload);
        foreach (var pt in new byte[] { 0, 8, 101, 13 })
        {
            var packet = new byte[RtpHeader.FixedLength + payload.Length];
            RtpPacket.Write(packet, pt == 101, pt, 1000, 160_000, 0x1234_5678, pt == 101 ? payload[..4] : payload);
            seeds.Add(pt == 101 ? packet[..(RtpHeader.FixedLength + 4)] : packet);
        }

        // Header extension, CSRC list and padding: the paths RFC 3550 section 5.1 checks.
        var extended = new List<byte>(seeds[0][..12]) { 0xBE, 0xDE, 0x00, 0x01, 0x10, 0xAA, 0x00, 0x00 };
        extended[0] = 0x90;
        extended.AddRange(payload[..20]);
        seeds.Add([.. extended]);
        var csrc = new List<byte>(seeds[0][..12]) { 0, 0, 0, 1, 0, 0, 0, 2 };
        csrc[0] = 0x82;
        csrc.AddRange(payload[..20]);
        seeds.Add([.. csrc]);
        var padded = new List<byte>(seeds[1]) { 0, 0, 4 };
        padded[0] |= 0x20;
        seeds.Add([.. padded]);
        return seeds;
    }

    public static IReadOnlyList<byte[]> Rtcp()
    {
        var seeds = new List<byte[]>();
        var buffer = new byte[1500];
        var block = new RtcpReportBlock(0x1234_5678, 12, 40, 70_000, 30, 0xABCD_0000, 6000);
        var length = RtcpPacket.WriteReport(buffer, 0xCAFE_BABE, new RtcpSenderInfo(0x0102_0304_0506_0708, 1234, 100, 16_000), [block], "fuzz@talko");
        seeds.Add(buffer[..length]);
        length = RtcpPacket.WriteReport(buffer, 0xCAFE_BABE, null, [block, block], "fuzz@talko");
        seeds.Add(buffer[..length]);
        length = RtcpPacket.WriteReport(buffer, 0xCAFE_BABE, null, [], new string('n', 200));
        seeds.Add(buffer[..length]);
        return seeds;
    }
}
