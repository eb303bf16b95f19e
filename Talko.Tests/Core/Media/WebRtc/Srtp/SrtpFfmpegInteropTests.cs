using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Talko.Core.Media.WebRtc.Srtp;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;

namespace Talko.Tests.Core.Media.WebRtc.Srtp;

/// <summary>
/// SRTP against an independent implementation: Debian's ffmpeg (libavformat's SRTP, AES_CM_128_HMAC_SHA1_80) sends a
/// tone that Talko unprotects, SRTCP included, and receives a tone Talko protected.
/// </summary>
public class SrtpFfmpegInteropTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static (byte[] Key, byte[] Salt, string Inline) MasterKey()
    {
        var key = new byte[16];
        var salt = new byte[14];
        Random.Shared.NextBytes(key);
        Random.Shared.NextBytes(salt);
        return (key, salt, Convert.ToBase64String([.. key, .. salt]));
    }

    [Fact]
    public async Task Talko_unprotects_what_ffmpeg_protects()
    {
        var (key, salt, inline) = MasterKey();
        var port = FreeUdpPortPair();
        using var rtp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        using var rtcp = new UdpClient(new IPEndPoint(IPAddress.Loopback, port + 1));
        rtp.Client.ReceiveBufferSize = 1 << 20;
        using var receiver = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, key, salt);

        using var ffmpeg = Start("-hide_banner", "-loglevel", "error", "-re", "-f", "lavfi", "-i", "sine=frequency=440:duration=2",
            "-c:a", "pcm_mulaw", "-ar", "8000", "-ac", "1", "-f", "rtp",
            "-srtp_out_suite", "AES_CM_128_HMAC_SHA1_80", "-srtp_out_params", inline, $"srtp://127.0.0.1:{port}?rtcpport={port + 1}");

        using var cancellation = new CancellationTokenSource(Timeout);
        var ok = 0;
        var refused = new List<SrtpResult>();
        var loud = 0;
        while (ok + refused.Count < 60 && !cancellation.IsCancellationRequested)
        {
            var datagram = await rtp.ReceiveAsync(cancellation.Token);
            var packet = datagram.Buffer;
            var result = receiver.UnprotectRtp(packet, out var length);
            if (result != SrtpResult.Ok)
            {
                refused.Add(result);
                continue;
            }

            ok++;
            loud += packet.AsSpan(12, length - 12).ToArray().Count(b => (b & 0x7F) < 0x70); // μ-law: low magnitudes code near 0x7F/0xFF
        }

        Assert.Empty(refused);
        Assert.Equal(60, ok);
        Assert.True(loud > 60 * 80, $"only {loud} loud samples: the payload did not decrypt to the tone");

        // libavformat sends a sender report through SRTCP on the next port.
        var report = await rtcp.ReceiveAsync(cancellation.Token);
        var srtcp = report.Buffer;
        Assert.Equal(SrtpResult.Ok, receiver.UnprotectRtcp(srtcp, out var rtcpLength));
        Assert.Equal(200, srtcp[1]); // SR
        log.WriteLine($"SRTCP sender report of {rtcpLength} bytes unprotected");

        log.WriteLine($"{ok} SRTP packets from ffmpeg unprotected, none refused");
        if (!ffmpeg.HasExited)
        {
            ffmpeg.Kill(); // started for two seconds of tone; what was checked has arrived
        }
    }

    [Fact]
    public async Task Ffmpeg_unprotects_what_talko_protects()
    {
        var (key, salt, inline) = MasterKey();
        var port = FreeUdpPortPair();
        var directory = Directory.CreateTempSubdirectory("talko-srtp-").FullName;
        try
        {
            var sdp = Path.Combine(directory, "in.sdp");
            var wav = Path.Combine(directory, "out.wav");
            await File.WriteAllTextAsync(sdp, string.Join("\r\n",
                "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=talko", "c=IN IP4 127.0.0.1", "t=0 0",
                $"m=audio {port} RTP/SAVP 0", "a=rtpmap:0 PCMU/8000", $"a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:{inline}", ""));
            using var ffmpeg = Start("-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file,udp,rtp,srtp",
                "-i", sdp, "-t", "1", "-y", wav);
            await TestTimeouts.EventuallyAsync(() => FreePort.IsUdpBound(port), TestTimeouts.Default);

            using var sender = new SrtpContext(SrtpProfile.AesCm128HmacSha1_80, key, salt);
            using var socket = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var target = new IPEndPoint(IPAddress.Loopback, port);
            var buffer = new byte[12 + 160 + 10];
            for (var n = 0; n < 150 && !ffmpeg.HasExited; n++)
            {
                buffer[0] = 0x80;
                buffer[1] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(buffer.AsSpan(2), (ushort)(1000 + n));
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(4), (uint)(n * 160));
                BinaryPrimitives.WriteUInt32BigEndian(buffer.AsSpan(8), 0x7A1C0);
                for (var i = 0; i < 160; i++)
                {
                    buffer[12 + i] = (byte)((i / 4) % 2 == 0 ? 0x80 : 0x00); // a loud 1 kHz square wave in μ-law
                }

                Assert.Equal(SrtpResult.Ok, sender.ProtectRtp(buffer, 12 + 160, out var length));
                await socket.SendAsync(buffer.AsMemory(0, length), target);
                await Task.Delay(20);
            }

            Assert.True(await WaitForExitAsync(ffmpeg, Timeout), "ffmpeg did not finish");
            Assert.Equal(0, ffmpeg.ExitCode);
            var samples = (await File.ReadAllBytesAsync(wav))[44..];
            var peak = Enumerable.Range(0, samples.Length / 2).Max(i => Math.Abs((int)BinaryPrimitives.ReadInt16LittleEndian(samples.AsSpan(2 * i))));
            log.WriteLine($"ffmpeg decoded {samples.Length / 2} samples from Talko's SRTP, peak {peak}");
            Assert.True(samples.Length / 2 >= 7000, $"ffmpeg decoded only {samples.Length / 2} samples");
            Assert.True(peak > 20000, $"peak {peak}: the audio did not decrypt");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Process Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return process;
    }

    private static async Task<bool> WaitForExitAsync(Process process, TimeSpan timeout)
    {
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            process.Kill();
            return false;
        }
    }

    private static UdpClient? BindOrNull(int port)
    {
        try
        {
            return new UdpClient(new IPEndPoint(IPAddress.Loopback, port));
        }
        catch (SocketException)
        {
            return null; // taken: FreeUdpPortPair tries another pair
        }
    }

    private static int FreeUdpPortPair()
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            using var first = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
            var port = ((IPEndPoint)first.Client.LocalEndPoint!).Port;
            if (port % 2 == 0 && BindOrNull(port + 1) is { } second)
            {
                second.Dispose();
                return port;
            }
        }

        throw new InvalidOperationException("no free even/odd UDP port pair on loopback");
    }
}
