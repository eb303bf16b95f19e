using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Ephemeral;

namespace Talko.Server.Features.Calls;

/// <summary>
/// What a live call keeps in the ephemeral store besides its claim and talkers: when it moved (so the new owner can log
/// each participant's audio gap) and its participants' quality figures (so any instance's view shows them).
/// </summary>
public sealed class CallEphemeralRecords(IEphemeralStore store, KeySpace keys, IOptions<CallsOptions> options)
{
    /// <summary>Participants who have not rejoined a moved call by then are not counted as a gap but as gone.</summary>
    private static readonly TimeSpan MovedMarkerLifetime = TimeSpan.FromMinutes(2);

    public Task SetMovedAtAsync(CallId callId, DateTimeOffset at) =>
        store.SetAsync(keys.CallMovedAt(callId.ToString()), at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), MovedMarkerLifetime);

    /// <summary>When the call last moved to its present owner; null when it did not (recently).</summary>
    public async Task<DateTimeOffset?> MovedAtAsync(CallId callId) =>
        await store.GetAsync(keys.CallMovedAt(callId.ToString())) is { } movedAt && long.TryParse(movedAt, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    /// <summary>Keeps the figures for three quality intervals: a dead owner's vanish by themselves.</summary>
    public Task SetQualityAsync(CallId callId, Dictionary<string, CallQualityView> figures) =>
        store.SetAsync(keys.CallQuality(callId.ToString()), JsonSerializer.Serialize(figures, CallsJson.Default.DictionaryStringCallQualityView),
            options.Value.QualityInterval * 3);

    public Task ForgetQualityAsync(CallId callId) => store.DeleteAsync(keys.CallQuality(callId.ToString()));
}
