namespace Talko.Core.Sip.Registrar;

/// <summary>Registration intervals (RFC 3261 section 10.3) and per-AOR limits.</summary>
public sealed class SipRegistrarOptions
{
    /// <summary>Shorter non-zero expiries get 423 with Min-Expires.</summary>
    public int MinExpiresSeconds { get; set; } = 60;

    /// <summary>Longer expiries are shortened to this.</summary>
    public int MaxExpiresSeconds { get; set; } = 3600;

    /// <summary>Used when neither the Contact nor the request says.</summary>
    public int DefaultExpiresSeconds { get; set; } = 3600;

    /// <summary>Most contacts one address-of-record may hold.</summary>
    public int MaxBindingsPerAddressOfRecord { get; set; } = 10;
}
