namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// The master keys and salts of both directions, cut from the keying material DTLS exports with the label
/// "EXTRACTOR-dtls_srtp" (RFC 5764 section 4.2): client key, server key, client salt, server salt, in that order.
/// </summary>
public sealed class SrtpKeyingMaterial
{
    public const string ExporterLabel = "EXTRACTOR-dtls_srtp";

    private SrtpKeyingMaterial(SrtpProfile profile, byte[] clientKey, byte[] serverKey, byte[] clientSalt, byte[] serverSalt)
    {
        Profile = profile;
        ClientKey = clientKey;
        ServerKey = serverKey;
        ClientSalt = clientSalt;
        ServerSalt = serverSalt;
    }

    public SrtpProfile Profile { get; }
    public ReadOnlyMemory<byte> ClientKey { get; }
    public ReadOnlyMemory<byte> ServerKey { get; }
    public ReadOnlyMemory<byte> ClientSalt { get; }
    public ReadOnlyMemory<byte> ServerSalt { get; }

    /// <summary>How many bytes to export for <paramref name="profile"/>: two keys and two salts.</summary>
    public static int ExportLength(SrtpProfile profile) => 2 * (SrtpProfileSizes.MasterKeyLength + profile.MasterSaltLength());

    public static SrtpKeyingMaterial Split(SrtpProfile profile, ReadOnlySpan<byte> exported)
    {
        if (exported.Length != ExportLength(profile))
        {
            throw new ArgumentException($"{profile} needs {ExportLength(profile)} bytes of keying material, not {exported.Length}", nameof(exported));
        }

        var key = SrtpProfileSizes.MasterKeyLength;
        var salt = profile.MasterSaltLength();
        return new SrtpKeyingMaterial(
            profile,
            exported[..key].ToArray(),
            exported.Slice(key, key).ToArray(),
            exported.Slice(2 * key, salt).ToArray(),
            exported.Slice((2 * key) + salt, salt).ToArray());
    }

    /// <summary>The context that protects what this side sends: a server sends with the server's keys.</summary>
    public SrtpContext CreateSender(bool isServer) => isServer
        ? new SrtpContext(Profile, ServerKey.Span, ServerSalt.Span)
        : new SrtpContext(Profile, ClientKey.Span, ClientSalt.Span);

    /// <summary>The context that unprotects what the peer sends.</summary>
    public SrtpContext CreateReceiver(bool isServer) => CreateSender(!isServer);
}
