using Talko.Tests.Core.Media.WebRtc.Ice;

namespace Talko.Tests.Core.Fuzzing;

internal static partial class FuzzSeeds
{
    /// <summary>The RFC 5769 samples and checks as a browser sends them, valid for the fuzzed responder's credentials so mutation starts deep.</summary>
    public static IReadOnlyList<byte[]> Stun() =>
    [
        Media.WebRtc.Hex.Bytes(Media.WebRtc.Stun.StunMessageTests.Rfc5769Request),
        IceLiteResponderTests.Check(),
        IceLiteResponderTests.Check(useCandidate: true, seed: 7),
        IceLiteResponderTests.Check(controlled: true, seed: 9),
        IceLiteResponderTests.Check(integrity: false, seed: 11),
        IceLiteResponderTests.Check(username: "srvr:" + new string('x', 400), seed: 13),
    ];
}
