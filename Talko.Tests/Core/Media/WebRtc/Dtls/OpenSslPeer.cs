using System.Diagnostics;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using Talko.Core.Media.WebRtc.Dtls;

namespace Talko.Tests.Core.Media.WebRtc.Dtls;

/// <summary>
/// Debian's openssl as the other DTLS-SRTP peer: s_client against Talko's server role, s_server against its client
/// role, each with its own ECDSA certificate and printing the keying material it exported.
/// </summary>
internal sealed partial class OpenSslPeer : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("talko-dtls-").FullName;
    private Process? process;
    private readonly System.Text.StringBuilder output = new();

    public OpenSslPeer()
    {
        Run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=openssl-peer",
            "-days", "2", "-keyout", KeyPath, "-out", CertificatePath);
        using var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(CertificatePath));
        Fingerprint = DtlsFingerprint.Of(certificate.RawData);
    }

    public string CertificatePath => Path.Combine(directory, "peer.pem");
    public string KeyPath => Path.Combine(directory, "peer.key");
    public DtlsFingerprint Fingerprint { get; }

    public string Output
    {
        get
        {
            lock (output)
            {
                return output.ToString();
            }
        }
    }

    /// <summary>s_client connecting to <paramref name="port"/>, offering <paramref name="profiles"/> (OpenSSL names).</summary>
    public void StartClient(int port, string profiles, int exportLength) => Start(
        "s_client", "-dtls1_2", "-connect", $"127.0.0.1:{port}", "-use_srtp", profiles,
        "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", exportLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-cert", CertificatePath, "-key", KeyPath);

    /// <summary>s_server on <paramref name="port"/> for one connection, asking for the client's certificate.</summary>
    public void StartServer(int port, string profiles, int exportLength) => Start(
        "s_server", "-dtls1_2", "-accept", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-naccept", "1", "-verify", "1",
        "-use_srtp", profiles, "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", exportLength.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-cert", CertificatePath, "-key", KeyPath);

    /// <summary>Waits until openssl printed the exported keying material and the SRTP profile, and returns both.</summary>
    public async Task<(byte[] Keys, string Profile)> ExportedAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var text = Output;
            var keys = KeyingMaterial().Match(text);
            var profile = SrtpProfile().Match(text);
            if (keys.Success && profile.Success)
            {
                return (Convert.FromHexString(keys.Groups[1].Value), profile.Groups[1].Value);
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"openssl printed no keying material:\n{Output}");
    }

    private void Start(params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        process = Process.Start(info)!;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private void Run(params string[] arguments)
    {
        var info = new ProcessStartInfo("openssl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var run = Process.Start(info)!;
        var error = run.StandardError.ReadToEndAsync();
        run.StandardOutput.ReadToEnd();
        run.WaitForExit();
        if (run.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', arguments)} failed: {error.Result}");
        }
    }

    [GeneratedRegex(@"Keying material: ([0-9A-Fa-f]+)")]
    private static partial Regex KeyingMaterial();

    [GeneratedRegex(@"SRTP Extension negotiated, profile=(\S+)")]
    private static partial Regex SrtpProfile();

    public void Dispose()
    {
        if (process is { HasExited: false })
        {
            process.Kill();
            process.WaitForExit();
        }

        process?.Dispose();
        Directory.Delete(directory, recursive: true);
    }
}
