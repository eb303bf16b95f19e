using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using Talko.Core.Conversations;
using Talko.Server.Features.Calls;
using Talko.Tests.Core.Media.Engine;
using Talko.Tests.Infrastructure;
using Talko.Tests.Infrastructure.Sip;
using Talko.Tests.Server.Features.Conversations;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>
/// Two in-process instances sharing PostgreSQL, Redis, blobs and recordings, each with its SIP engine on real loopback
/// ports, and sipp legs whose audio is carried by the test (tones in, Goertzel on what comes back).
/// </summary>
[Collection(RealtimeMediaCollection.Name)]
public sealed class TwoInstanceCallTests(PostgresFixture postgres, RedisFixture redis, ITestOutputHelper output)
    : IClassFixture<PostgresFixture>, IClassFixture<RedisFixture>, IAsyncLifetime
{
    private const double AliceTone = 1000;
    private const double BobTone = 1500;
    private readonly CallInstances instances = new(postgres, redis);
    private TalkoHost a = null!;
    private TalkoHost b = null!;
    private int sipPortA;

    public Task InitializeAsync()
    {
        (a, sipPortA) = instances.StartHost("calls-a");
        (b, _) = instances.StartHost("calls-b");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await instances.DisposeAsync();

    [Fact]
    public async Task A_call_started_on_A_is_joined_on_A_and_through_B_each_hears_the_other_and_the_recording_offsets_and_talkers_match()
    {
        using var alice = await a.SignUpAsync($"alice-{Guid.NewGuid():N}@example.com");
        using var bob = await a.SignUpAsync($"bob-{Guid.NewGuid():N}@example.com");
        var group = await alice.Client.CreateGroupAsync("Crew");
        await alice.Client.AddMemberAsync(group.Id, bob.UserId);
        var conversation = await alice.Client.CreateConversationAsync(group.Id, "Night shift");
        using var bobOnB = b.CreateClient(bob.Tokens.AccessToken);

        var call = await alice.Client.StartCallAsync(conversation.Id);
        Assert.Equal("live", call.State);
        Assert.Equal("calls-a", call.OwnerInstanceId);
        var started = await alice.Client.ItemsAsync(conversation.Id, "");
        Assert.Contains(started.Items, i => i.SystemEvent == "call-started" && i.CallId == call.Id);

        // Bob asks B; B is not the owner and answers with A's conference URI (once A's SIP address is in the registry).
        var join = await TestTimeouts.EventuallyAsync(() => bobOnB.JoinAsync(call.Id), j => j.SipUri.EndsWith($":{sipPortA}", StringComparison.Ordinal),
            TimeSpan.FromSeconds(10), "A's SIP address in B's join answer");
        Assert.Equal("calls-a", join.OwnerInstanceId);
        Assert.Equal(bob.Sip.Username, join.SipUsername);

        await using var alicePeer = new CallAudioPeer();
        await using var bobPeer = new CallAudioPeer();
        var hold = TimeSpan.FromSeconds(7);
        var aliceLeg = CallsTestKit.SippLegAsync("call-leg.xml", $"127.0.0.1:{sipPortA}", call.Id, alice, alicePeer.Port, hold + TimeSpan.FromSeconds(1));
        await CallsTestKit.MediaFlowingAsync(alicePeer, aliceLeg);
        var bobLeg = CallsTestKit.SippLegAsync("call-leg-redirect.xml", $"127.0.0.1:{SipPortOf(b)}", call.Id, bob, bobPeer.Port, hold);
        await CallsTestKit.MediaFlowingAsync(bobPeer, bobLeg);

        var both = await TestTimeouts.EventuallyAsync(() => alice.Client.GetCallAsync(call.Id), c => c.Participants.Count == 2, TimeSpan.FromSeconds(10), "two participants");
        Assert.Equal(new[] { alice.UserId, bob.UserId }.Order(), both.Participants.Select(p => p.UserId).Order());

        // The script: Alice talks for 1 s, then Bob, 2 s after her start, for 1 s. Bob posts a photo while he talks.
        var aliceTalks = alicePeer.TalkAsync(190, n => n < 50 ? AliceTone : null);
        var bobTalks = bobPeer.TalkAsync(190, n => n is >= 100 and < 150 ? BobTone : null);
        await Task.Delay(TimeSpan.FromSeconds(2.4));
        var before = (await bobOnB.GetCallAsync(call.Id)).RecordedMs;
        using var photoResponse = await bobOnB.UploadAsync($"/v1/conversations/{conversation.Id}/photos", TestMedia.Jpeg(64, 48), "image/jpeg");
        var photo = await ConversationsTestExtensions.ReadAsync<TimelineItem>(photoResponse, HttpStatusCode.Created);
        var after = (await bobOnB.GetCallAsync(call.Id)).RecordedMs;
        await Task.WhenAll(aliceTalks, bobTalks).WaitAsync(TimeSpan.FromSeconds(15));

        var results = await Task.WhenAll(aliceLeg, bobLeg).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(results[0].ExitCode == 0, "alice: " + results[0]);
        Assert.True(results[1].ExitCode == 0, "bob: " + results[1]);

        // Each hears the other (and the mix-minus keeps their own tone out).
        var bobHeard = bobPeer.Heard;
        var aliceHeard = alicePeer.Heard;
        output.WriteLine($"bob heard {bobHeard.Length} samples: 1000 Hz peak {CallsTestKit.PeakAmplitude(bobHeard, AliceTone):F0}, 1500 Hz {CallsTestKit.PeakAmplitude(bobHeard, BobTone):F0}");
        output.WriteLine($"alice heard {aliceHeard.Length} samples: 1500 Hz peak {CallsTestKit.PeakAmplitude(aliceHeard, BobTone):F0}, 1000 Hz {CallsTestKit.PeakAmplitude(aliceHeard, AliceTone):F0}");
        Assert.True(CallsTestKit.PeakAmplitude(bobHeard, AliceTone) > 3000, "Bob did not hear Alice's tone");
        Assert.True(CallsTestKit.PeakAmplitude(aliceHeard, BobTone) > 3000, "Alice did not hear Bob's tone");
        Assert.True(CallsTestKit.PeakAmplitude(aliceHeard, AliceTone) < 500, "Alice heard herself");

        // The photo carries the call and where the recording was when it was posted.
        Assert.Equal(call.Id, photo.CallId);
        output.WriteLine($"photo offset {photo.CallOffsetMs} ms (recorded before {before}, after {after})");
        Assert.InRange(photo.CallOffsetMs!.Value, before - 50, after + 50);

        using var end = await alice.Client.PostAsync($"/v1/calls/{call.Id}/end", null);
        var ended = await ConversationsTestExtensions.ReadAsync<CallView>(end, HttpStatusCode.OK);
        Assert.Equal("ended", ended.State);

        var timeline = await TestTimeouts.EventuallyAsync(() => bobOnB.GetTimelineAsync(call.Id),
            t => t.Segments.Count > 0 && t.Segments.All(s => s.State == "Complete"), TimeSpan.FromSeconds(15), "a complete recording");
        var segment = Assert.Single(timeline.Segments);
        Assert.Equal("calls-a", segment.InstanceId);

        // The recording: one Ogg Opus stream, Range requests, and its WAV form's duration is the index's.
        var stored = await bobOnB.GetAsync($"/v1/calls/{call.Id}/recording");
        Assert.Equal("audio/ogg", stored.Content.Headers.ContentType!.MediaType);
        Assert.Equal("bytes", Assert.Single(stored.Headers.AcceptRanges));
        var opus = await stored.Content.ReadAsByteArrayAsync();
        Assert.Equal("OggS"u8.ToArray(), opus[..4]);
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/calls/{call.Id}/recording"))
        {
            request.Headers.Range = new RangeHeaderValue(1_000, 2_999);
            using var partial = await bobOnB.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(opus.AsSpan(1_000, 2_000).ToArray(), await partial.Content.ReadAsByteArrayAsync());
            Assert.Equal(opus.Length, partial.Content.Headers.ContentRange!.Length);
        }

        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/calls/{call.Id}/recording"))
        {
            request.Headers.Range = new RangeHeaderValue(opus.Length, null);
            using var past = await bobOnB.SendAsync(request);
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, past.StatusCode);
            Assert.Equal(opus.Length, past.Content.Headers.ContentRange!.Length);
            Assert.False(past.Content.Headers.ContentRange.HasRange);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await bobOnB.GetAsync($"/v1/calls/{call.Id}/recording?format=mp3")).StatusCode);

        var whole = await bobOnB.GetByteArrayAsync($"/v1/calls/{call.Id}/recording?format=wav");
        var dataLength = BinaryPrimitives.ReadUInt32LittleEndian(whole.AsSpan(40));
        Assert.Equal(whole.Length - 44, (int)dataLength);
        Assert.InRange(dataLength / 16, timeline.DurationMs - 1, timeline.DurationMs + 1);
        Assert.Equal(segment.DurationMs, timeline.DurationMs);
        using (var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/calls/{call.Id}/recording?format=wav"))
        {
            request.Headers.Range = new RangeHeaderValue(16_000, 31_999);
            using var partial = await bobOnB.SendAsync(request);
            Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
            Assert.Equal(whole.AsSpan(16_000, 16_000).ToArray(), await partial.Content.ReadAsByteArrayAsync());
            Assert.Equal(whole.Length, partial.Content.Headers.ContentRange!.Length);
        }

        // The talker timeline follows the script: Alice first, Bob about 2 s later, each about 1 s (+ the detector's hang).
        var talkers = timeline.Markers.Where(m => m.Kind == "talker").ToList();
        output.WriteLine(string.Join("\n", timeline.Markers.Select(m => $"{m.Kind} {m.OffsetMs}-{m.EndMs} {m.UserId}")));
        // A stall of the test's paced sender reaches the mixer as a pause and splits a talk into spurts, so the checks are on
        // each person's first spurt (where the talk starts) and their talk in all (HandoverTalkerTimelineTests alike).
        var aliceSpurts = talkers.Where(m => m.UserId == alice.UserId).OrderBy(m => m.OffsetMs).ToList();
        var bobSpurts = talkers.Where(m => m.UserId == bob.UserId).OrderBy(m => m.OffsetMs).ToList();
        Assert.NotEmpty(aliceSpurts);
        Assert.NotEmpty(bobSpurts);
        var aliceTalk = aliceSpurts[0];
        var bobTalk = bobSpurts[0];
        // Bob's talker starts as long after Alice's as his talk's onset was sent after hers: 2 s by the script, more
        // when the machine held one of the two senders back (a 500 ms stall was seen under CI load). The onset is the
        // frame that completes the detector's start run, not the first tone frame: a stall between the two (seen in a
        // loaded run: first frames 3,938 ms apart, talkers 3,420) moves the server's talker start and not the first frame.
        var sentApart = (long)System.Diagnostics.Stopwatch.GetElapsedTime(alicePeer.ToneOnsetSentAt!.Value, bobPeer.ToneOnsetSentAt!.Value).TotalMilliseconds;
        output.WriteLine($"first tones sent {sentApart} ms apart; talkers start {bobTalk.OffsetMs - aliceTalk.OffsetMs} ms apart");
        Assert.InRange(sentApart, 1900, 4000);
        Assert.InRange(bobTalk.OffsetMs - aliceTalk.OffsetMs, sentApart - 300, sentApart + 300);
        Assert.InRange(aliceSpurts.Sum(m => m.EndMs!.Value - m.OffsetMs), 700, CallsTestKit.TalkBound(alicePeer.ToneSentOver));
        Assert.InRange(bobSpurts.Sum(m => m.EndMs!.Value - m.OffsetMs), 700, CallsTestKit.TalkBound(bobPeer.ToneSentOver));
        Assert.True(aliceSpurts[^1].EndMs <= bobTalk.OffsetMs, "talk spurts overlap");

        // ... and it lines up with the audio in the recording.
        var pcm = new short[dataLength / 2];
        for (var i = 0; i < pcm.Length; i++)
        {
            pcm[i] = BinaryPrimitives.ReadInt16LittleEndian(whole.AsSpan(44 + (2 * i)));
        }

        Assert.True(AmplitudeAt(pcm, aliceTalk.OffsetMs + 300, AliceTone) > 3000, "Alice's tone is not where the timeline says");
        Assert.True(AmplitudeAt(pcm, bobTalk.OffsetMs + 300, BobTone) > 3000, "Bob's tone is not where the timeline says");

        var photoMarker = Assert.Single(timeline.Markers, m => m.Kind == "photo");
        Assert.Equal(photo.CallOffsetMs, photoMarker.OffsetMs);
        Assert.Contains(timeline.Markers, m => m.Kind == "join" && m.UserId == bob.UserId);
        Assert.Contains(timeline.Markers, m => m.Kind == "leave" && m.UserId == alice.UserId);

        // The export carries the same recording and timeline, and names the people the ids refer to.
        using var export = new System.IO.Compression.ZipArchive(await (await bobOnB.GetAsync($"/v1/conversations/{conversation.Id}/export")).Content.ReadAsStreamAsync());
        using (var exported = new MemoryStream())
        {
            await export.GetEntry($"calls/{call.Id}.opus")!.Open().CopyToAsync(exported);
            Assert.Equal(opus, exported.ToArray());
        }

        using var calls = System.Text.Json.JsonDocument.Parse(export.GetEntry("calls.json")!.Open());
        var exportedCall = Assert.Single(calls.RootElement.EnumerateArray());
        Assert.Equal($"calls/{call.Id}.opus", exportedCall.GetProperty("recording").GetString());
        var exportedTalkers = exportedCall.GetProperty("timeline").GetProperty("markers").EnumerateArray().Where(m => m.GetProperty("kind").GetString() == "talker").ToList();
        Assert.Equal(talkers.Count, exportedTalkers.Count);
        using var people = System.Text.Json.JsonDocument.Parse(export.GetEntry("timeline.json")!.Open());
        var ids = people.RootElement.GetProperty("people").EnumerateArray().Select(p => p.GetProperty("userId").GetGuid()).ToHashSet();
        Assert.True(ids.SetEquals([alice.UserId, bob.UserId]), $"people: {string.Join(", ", ids)}");
    }

    private static double AmplitudeAt(short[] pcm, long offsetMs, double frequency)
    {
        var start = (int)(offsetMs * 8);
        return start + 1600 <= pcm.Length ? Talko.Tests.Core.Media.AudioSignals.Amplitude(pcm.AsSpan(start, 1600), frequency) : 0;
    }

    private static int SipPortOf(TalkoHost host) => int.Parse(host.Options.Settings["Talko:Sip:UdpPort"]!, System.Globalization.CultureInfo.InvariantCulture);
}
