namespace Talko.Core.Sip.Registrar;

/// <summary>The digest algorithms the registrar verifies (RFC 3261 section 22.4, RFC 8760).</summary>
internal enum DigestAlgorithm
{
    Md5,
    Sha256,
}
