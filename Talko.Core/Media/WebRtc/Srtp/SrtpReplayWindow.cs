namespace Talko.Core.Media.WebRtc.Srtp;

/// <summary>
/// The sliding replay window of RFC 3711 section 3.3.2, 128 packets wide (the RFC asks for at least 64): bit k set
/// means the index <c>highest - k</c> was received. Checked before authentication, updated only after it, so a
/// forged packet cannot move the window.
/// </summary>
internal struct SrtpReplayWindow
{
    public const int Size = 128;

    private UInt128 received;

    public ulong Highest { get; private set; }

    public bool HasReceived { get; private set; }

    public readonly SrtpResult Check(ulong index)
    {
        if (!HasReceived || index > Highest)
        {
            return SrtpResult.Ok;
        }

        var behind = Highest - index;
        if (behind >= Size)
        {
            return SrtpResult.TooOld;
        }

        return ((received >> (int)behind) & UInt128.One) != UInt128.Zero ? SrtpResult.Replayed : SrtpResult.Ok;
    }

    public void Accept(ulong index)
    {
        if (!HasReceived)
        {
            HasReceived = true;
            Highest = index;
            received = UInt128.One;
            return;
        }

        if (index > Highest)
        {
            var ahead = index - Highest;
            received = ahead >= Size ? UInt128.One : (received << (int)ahead) | UInt128.One;
            Highest = index;
            return;
        }

        received |= UInt128.One << (int)(Highest - index);
    }
}
