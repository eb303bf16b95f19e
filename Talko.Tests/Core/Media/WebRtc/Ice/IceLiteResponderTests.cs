using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Talko.Core.Media.WebRtc.Ice;
using Talko.Core.Media.WebRtc.Stun;

namespace Talko.Tests.Core.Media.WebRtc.Ice;

/// <summary>The ICE-lite responder against checks as a browser sends them, on a fake clock for consent freshness.</summary>
public sealed class IceLiteResponderTests : IDisposable
{
    private static readonly IceCredentials Local = new("srvr", "serverPassword0123456789");
    private const string RemoteUfrag = "brws";
    private static readonly IPEndPoint Browser = new(IPAddress.Parse("192.0.2.10"), 50000);
    private static readonly IPEndPoint OtherCandidate = new(IPAddress.Parse("198.51.100.7"), 61000);

    private readonly FakeTimeProvider time = new(new DateTimeOffset(2026, 12, 5, 10, 0, 0, TimeSpan.Zero));
    private readonly IceLiteResponder responder;
    private readonly byte[] response = new byte[IceLiteResponder.MaxResponseLength];

    public IceLiteResponderTests() => responder = new IceLiteResponder(Local, RemoteUfrag, time);

    public void Dispose() => responder.Dispose();

    /// <summary>A check as a controlling full agent sends it (RFC 8445 section 7.2.2).</summary>
    internal static byte[] Check(
        string username = "srvr:brws", string password = "serverPassword0123456789", bool useCandidate = false,
        bool controlled = false, bool integrity = true, byte seed = 1)
    {
        var buffer = new byte[1024];
        var transaction = Enumerable.Range(seed, 12).Select(i => (byte)i).ToArray();
        var writer = new StunMessageWriter(buffer, StunConstants.BindingMethod, StunClass.Request, transaction);
        writer.AddUsername(username);
        writer.AddPriority(0x6e0001ff);
        if (controlled)
        {
            writer.AddIceControlled(42);
        }
        else
        {
            writer.AddIceControlling(42);
        }

        if (useCandidate)
        {
            writer.AddUseCandidate();
        }

        if (integrity)
        {
            writer.AddMessageIntegrity(Encoding.ASCII.GetBytes(password));
        }

        writer.AddFingerprint();
        return buffer[..writer.Length];
    }

    private IceCheckResult Send(byte[] check, IPEndPoint from, out StunParseResult parsedResponse, out int? errorCode, out IPEndPoint? mapped, out bool integrity)
    {
        var result = responder.Handle(check, from, response, out var length);
        errorCode = null;
        mapped = null;
        integrity = false;
        parsedResponse = length == 0 ? StunParseResult.TooShort : StunMessage.TryParse(response.AsSpan(0, length), out var answer);
        if (length > 0 && StunMessage.TryParse(response.AsSpan(0, length), out answer) == StunParseResult.Ok)
        {
            Assert.Equal(Hex.Of(check.AsSpan(8, 12)), Hex.Of(answer.TransactionId));
            errorCode = answer.ErrorCode;
            answer.TryGetXorMappedAddress(out mapped);
            integrity = answer.VerifyIntegrity(Local.PasswordBytes.Span);
        }

        return result;
    }

    [Fact]
    public void A_valid_check_is_answered_with_the_source_address_integrity_and_fingerprint()
    {
        Assert.Equal(IceCheckResult.Answered, Send(Check(), Browser, out var parsed, out var error, out var mapped, out var integrity));

        Assert.Equal(StunParseResult.Ok, parsed);
        Assert.Null(error);
        Assert.Equal(Browser, mapped);
        Assert.True(integrity);
        Assert.True(responder.IsPermitted(Browser));
        Assert.False(responder.IsPermitted(OtherCandidate));
        Assert.Null(responder.SelectedEndpoint);
    }

    [Fact]
    public void Use_candidate_nominates_the_pair_and_a_later_nomination_moves_it()
    {
        var nominated = new List<IPEndPoint>();
        responder.Nominated += nominated.Add;

        Assert.Equal(IceCheckResult.Nominated, Send(Check(useCandidate: true), Browser, out _, out _, out _, out _));
        Assert.Equal(Browser, responder.SelectedEndpoint);
        Assert.Equal(IceCheckResult.Nominated, Send(Check(useCandidate: true, seed: 2), Browser, out _, out _, out _, out _));
        Assert.Equal(IceCheckResult.Nominated, Send(Check(useCandidate: true, seed: 3), OtherCandidate, out _, out _, out _, out _));

        Assert.Equal(OtherCandidate, responder.SelectedEndpoint);
        Assert.Equal([Browser, OtherCandidate], nominated);
    }

    [Theory]
    [InlineData("other:brws", "serverPassword0123456789")] // not our ufrag
    [InlineData("srvr:someone", "serverPassword0123456789")] // not the peer the offer named
    [InlineData("srvr:brws", "wrongPassword01234567890")] // integrity with another key
    public void Checks_with_a_foreign_username_or_wrong_integrity_get_401_and_no_permission(string username, string password)
    {
        Assert.Equal(IceCheckResult.Unauthorized, Send(Check(username, password, useCandidate: true), Browser, out var parsed, out var error, out _, out var integrity));

        Assert.Equal(StunParseResult.Ok, parsed);
        Assert.Equal(401, error);
        Assert.False(integrity);
        Assert.False(responder.IsPermitted(Browser));
        Assert.Null(responder.SelectedEndpoint);
    }

    [Fact]
    public void A_check_without_integrity_gets_400_and_a_controlled_peer_gets_487()
    {
        Assert.Equal(IceCheckResult.BadRequest, Send(Check(integrity: false), Browser, out _, out var error, out _, out _));
        Assert.Equal(400, error);

        Assert.Equal(IceCheckResult.RoleConflict, Send(Check(controlled: true), Browser, out _, out error, out _, out var integrity));
        Assert.Equal(487, error);
        Assert.True(integrity);
        Assert.False(responder.IsPermitted(Browser));
    }

    [Fact]
    public void The_rfc5769_sample_request_from_a_controlled_agent_is_a_role_conflict()
    {
        using var sample = new IceLiteResponder(new IceCredentials("evtj", "VOkJxbRl1RmTxUk/WvJxBt"), "h6vY", time);
        Assert.Equal(IceCheckResult.RoleConflict, sample.Handle(Hex.Bytes(Stun.StunMessageTests.Rfc5769Request), Browser, response, out var length));
        Assert.Equal(StunParseResult.Ok, StunMessage.TryParse(response.AsSpan(0, length), out var answer));
        Assert.Equal(487, answer.ErrorCode);
    }

    [Fact]
    public void Responses_indications_garbage_and_other_methods_are_not_answered()
    {
        var buffer = new byte[64];
        var indication = new StunMessageWriter(buffer, StunConstants.BindingMethod, StunClass.Indication, new byte[12]);
        indication.AddFingerprint();
        Assert.Equal(IceCheckResult.Ignored, responder.Handle(buffer.AsSpan(0, indication.Length), Browser, response, out var length));
        Assert.Equal(0, length);

        var allocate = new StunMessageWriter(buffer, 0x003, StunClass.Request, new byte[12]);
        Assert.Equal(IceCheckResult.UnsupportedMethod, responder.Handle(buffer.AsSpan(0, allocate.Length), Browser, response, out length));
        Assert.Equal(0, length);

        Assert.Equal(IceCheckResult.Malformed, responder.Handle(new byte[] { 0, 1, 0, 0 }, Browser, response, out length));
        var corrupted = Check();
        corrupted[30] ^= 0xFF;
        Assert.Equal(IceCheckResult.Malformed, responder.Handle(corrupted, Browser, response, out length));
        Assert.Equal(0, length);
    }

    [Fact]
    public void Consent_lapses_thirty_seconds_after_the_last_valid_check_on_the_selected_pair()
    {
        var lapses = 0;
        responder.ConsentLapsed += () => lapses++;
        Send(Check(useCandidate: true), Browser, out _, out _, out _, out _);

        for (var i = 0; i < 10; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5)); // browsers send consent checks every 5 s or so
            Assert.Equal(IceCheckResult.Answered, Send(Check(seed: (byte)(10 + i)), Browser, out _, out _, out _, out _));
        }

        // Checks on another pair do not keep the selected pair's consent.
        time.Advance(TimeSpan.FromSeconds(20));
        Send(Check(seed: 50), OtherCandidate, out _, out _, out _, out _);
        time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.Equal(0, lapses);
        Assert.True(responder.IsPermitted(Browser));

        time.Advance(TimeSpan.FromSeconds(0.2));
        Assert.Equal(1, lapses);
        Assert.True(responder.HasLapsed);
        Assert.False(responder.IsPermitted(Browser));
        Assert.False(responder.IsPermitted(OtherCandidate));
        Assert.Equal(IceCheckResult.ConsentLapsed, Send(Check(seed: 60), Browser, out _, out _, out _, out _));

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, lapses);
    }

    [Fact]
    public void Consent_lapses_when_no_valid_check_ever_arrives()
    {
        var lapses = 0;
        responder.ConsentLapsed += () => lapses++;
        Send(Check(password: "wrongPassword01234567890"), Browser, out _, out _, out _, out _);
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(0, lapses);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, lapses);
    }

    [Fact]
    public void New_pairs_beyond_the_limit_are_dropped_until_old_ones_go_stale()
    {
        using var small = new IceLiteResponder(Local, RemoteUfrag, time, new IceLiteOptions { MaxPairs = 2 });
        IPEndPoint Endpoint(int n) => new(IPAddress.Parse("192.0.2.10"), 50000 + n);
        Assert.Equal(IceCheckResult.Nominated, small.Handle(Check(useCandidate: true), Endpoint(1), response, out _));
        Assert.Equal(IceCheckResult.Answered, small.Handle(Check(), Endpoint(2), response, out _));
        Assert.Equal(IceCheckResult.TooManyPairs, small.Handle(Check(), Endpoint(3), response, out var length));
        Assert.Equal(0, length);

        time.Advance(TimeSpan.FromSeconds(20));
        small.Handle(Check(), Endpoint(1), response, out _); // the selected pair stays fresh
        time.Advance(TimeSpan.FromSeconds(15));
        Assert.Equal(IceCheckResult.Answered, small.Handle(Check(), Endpoint(3), response, out _));
        Assert.False(small.IsPermitted(Endpoint(2)));
    }

    [Fact]
    public void Generated_credentials_are_valid_ice_chars_and_differ()
    {
        var a = IceCredentials.Generate();
        var b = IceCredentials.Generate();
        Assert.True(IceCredentials.IsValid(a.Ufrag, 4) && IceCredentials.IsValid(a.Password, 22));
        Assert.NotEqual(a.Password, b.Password);
        Assert.Throws<ArgumentException>(() => new IceCredentials("abc", "x"));
    }
}
