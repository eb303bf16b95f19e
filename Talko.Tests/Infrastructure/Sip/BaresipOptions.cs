using System.Globalization;

namespace Talko.Tests.Infrastructure.Sip;

/// <summary>
/// A SIP account for a <see cref="BaresipPeer"/>: the address-of-record it uses in From (and registers, when
/// <see cref="RegisterInterval"/> is above zero) and the digest credentials it answers challenges with.
/// </summary>
/// <param name="User">User part of the address-of-record, e.g. a device's SIP username.</param>
/// <param name="Server">host:port of the registrar / proxy, e.g. "127.0.0.1:5060".</param>
/// <param name="AuthUser">Digest username (the device's SIP username for Talko).</param>
/// <param name="Password">Digest password (the device's SIP secret).</param>
/// <param name="Transport">udp or tcp: where requests go and what the Contact says.</param>
/// <param name="RegisterInterval">Seconds between REGISTERs (baresip's regint); 0 never registers.</param>
/// <param name="AutoAnswer">Answer incoming calls at once (answermode=auto) instead of waiting for <see cref="BaresipPeer.AcceptAsync"/>.</param>
/// <param name="FollowTransfers">Whether an incoming REFER is followed (baresip 1.0 does by default; call_transfer=no refuses it).</param>
/// <param name="DtlsSrtpWithIce">
/// Offer DTLS-SRTP with ICE (mediaenc=dtls_srtp, medianat=ice: UDP/TLS/RTP/SAVPF, RFC 5763) instead of plain RTP; the
/// peer must load the dtls_srtp and ice modules (<see cref="BaresipPeer.DtlsSrtpConfig"/>).
/// </param>
internal sealed record BaresipAccount(
    string User,
    string Server,
    string? AuthUser = null,
    string? Password = null,
    int RegisterInterval = 0,
    string Transport = "udp",
    bool AutoAnswer = true,
    bool FollowTransfers = true,
    bool DtlsSrtpWithIce = false)
{
    /// <summary>The line baresip's accounts file (or its uanew command) takes.</summary>
    public string ToAccountLine()
    {
        Safe(User, nameof(User));
        Safe(Server, nameof(Server));
        Safe(Transport, nameof(Transport));
        var line = $"<sip:{User}@{Server};transport={Transport}>;regint={RegisterInterval.ToString(CultureInfo.InvariantCulture)}";
        if (AuthUser is not null)
        {
            line += ";auth_user=" + Safe(AuthUser, nameof(AuthUser));
        }

        if (Password is not null)
        {
            line += ";auth_pass=" + Safe(Password, nameof(Password));
        }

        line += AutoAnswer ? ";answermode=auto" : ";answermode=manual";
        if (!FollowTransfers)
        {
            line += ";call_transfer=no";
        }

        if (DtlsSrtpWithIce)
        {
            line += ";mediaenc=dtls_srtp;medianat=ice";
        }

        return line;
    }

    // baresip's account line has no quoting: a separator inside a value would silently split it.
    private static string Safe(string value, string name) =>
        value.Length > 0 && value.IndexOfAny([';', '<', '>', ' ', '\t', '\r', '\n', '"', ',']) < 0
            ? value
            : throw new ArgumentException($"baresip account field {name} is empty or holds a separator: '{value}'", name);
}

/// <summary>How a <see cref="BaresipPeer"/> is set up: its account, what it plays into calls, and its limits.</summary>
internal sealed record BaresipOptions
{
    /// <summary>The account created once the control connection is up (so its registration events are seen); null: none.</summary>
    public BaresipAccount? Account { get; init; }

    /// <summary>Frequency of the sine baresip sends into every call (ausine); ignored when <see cref="AudioFile"/> is set.</summary>
    public int ToneHz { get; init; } = 440;

    /// <summary>A WAV file to send instead of the sine (aufile): 16-bit PCM, 8 kHz mono needs no resampling; played once.</summary>
    public string? AudioFile { get; init; }

    /// <summary>Hard limit on the process' life (baresip -t), so a crashed test run never leaves it behind.</summary>
    public TimeSpan MaxLifetime { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Print every SIP message sent and received into the log (baresip -s), for tests that check the signalling.</summary>
    public bool SipTrace { get; init; }

    /// <summary>How long to wait for the control port after starting the process.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Keep the config directory (and recordings) after disposal, for debugging.</summary>
    public bool KeepFiles { get; init; }

    /// <summary>Extra config lines appended verbatim (e.g. "sip_trans_def tcp").</summary>
    public IReadOnlyList<string> ExtraConfig { get; init; } = [];
}
