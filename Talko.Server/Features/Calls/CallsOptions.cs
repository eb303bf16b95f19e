namespace Talko.Server.Features.Calls;

/// <summary>Limits and timings of calls (configuration section Talko:Calls).</summary>
public sealed class CallsOptions
{
    public const string Section = "Talko:Calls";

    /// <summary>A live call with nobody in it ends by itself after this long (also a call nobody joined after it started).</summary>
    public TimeSpan EmptyCallGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often the owner renews its claims (well inside <see cref="Talko.Core.Calls.CallOwnershipOptions.ClaimTimeToLive"/>).</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often each instance looks for live calls without an owner (their owner died) and adopts them.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Ring the members' registered SIP devices when a call starts.</summary>
    public bool RingDevices { get; set; } = true;

    /// <summary>Largest recording segment copied into the blob store (4 GiB is 74 hours of 8 kHz 16-bit mono WAV).</summary>
    public long MaxSegmentBytes { get; set; } = 4L * 1024 * 1024 * 1024;

    /// <summary>
    /// Most bytes one open-ended Range request of a recording (<c>bytes=N-</c>, what a media element sends) is answered
    /// with; the 206 says which part came, and the player asks for the next part as it plays. It bounds the work of one
    /// request, and a seek in a long recording reads from where it lands instead of a stream from the start (ADR 0812).
    /// </summary>
    public long RecordingRangeChunkBytes { get; set; } = 1024 * 1024;

    /// <summary>Most recording segments whose Ogg page index is kept between requests (<see cref="RecordingIndexCache"/>, ADR 0813).</summary>
    public int RecordingIndexCacheEntries { get; set; } = 4096;

    /// <summary>Most memory the kept page indexes take (about 170 KB per recorded hour); least recently used go first.</summary>
    public long RecordingIndexCacheBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>
    /// How long a signed playback URL of a recording (POST /v1/calls/{id}/recording/playback, ADR 0813) works; at most 5
    /// minutes. A player asks for a fresh one when it expires mid-playback.
    /// </summary>
    public TimeSpan RecordingPlaybackLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most departed participants listed in a call's view (the latest ones; the timeline has every leave).</summary>
    public int MaxLeftInView { get; set; } = 100;

    /// <summary>
    /// An adopter of a call whose previous owner is still alive (a drain move) waits up to this long for that owner to
    /// close its recording segment with its talker timeline (ADR 0610) before closing it from the file itself. A join
    /// or INVITE arriving during a handover waits as long; keep it well under the claim time-to-live.
    /// </summary>
    public TimeSpan HandoverWait { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the owner reads each participant's RTCP quality into the call's view (ADR 0901); a change of grade is
    /// pushed to clients as callUpdated. Keep it near Talko:Media:RtcpInterval, which is when the figures change.
    /// </summary>
    public TimeSpan QualityInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Most live calls in one conversation at once.</summary>
    public int MaxLiveCallsPerConversation { get; set; } = 1;
}
