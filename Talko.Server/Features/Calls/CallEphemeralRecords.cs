using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Ephemeral;
using Talko.Core.Media.Quality;

namespace Talko.Server.Features.Calls;

/// <summary>
/// <see cref="ICallEphemeralRecords"/> in the ephemeral store: the moved-at marker, and the quality figures as a map by
/// participant (<see cref="CallQualityRecords"/>) that every instance's view reads.
/// </summary>
internal sealed class CallEphemeralRecords(IEphemeralStore store, KeySpace keys, IOptions<CallsOptions> options) : ICallEphemeralRecords
{
    /// <summary>Participants who have not rejoined a moved call by then are not counted as a gap but as gone.</summary>
    private static readonly TimeSpan MovedMarkerLifetime = TimeSpan.FromMinutes(2);

    public Task SetMovedAtAsync(CallId callId, DateTimeOffset at) =>
        store.SetAsync(keys.CallMovedAt(callId.ToString()), at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), MovedMarkerLifetime);

    public async Task<DateTimeOffset?> MovedAtAsync(CallId callId) =>
        await store.GetAsync(keys.CallMovedAt(callId.ToString())) is { } movedAt && long.TryParse(movedAt, CultureInfo.InvariantCulture, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    /// <summary>Keeps the figures for three quality intervals: a dead owner's vanish by themselves.</summary>
    public Task SetQualityAsync(CallId callId, IReadOnlyDictionary<(Guid UserId, Guid? DeviceId), MediaLegQuality> figures, DateTimeOffset at)
    {
        var views = figures.ToDictionary(
            f => CallQualityRecords.Key(f.Key.UserId, f.Key.DeviceId),
            f => new CallQualityView(f.Value.LossPercent, f.Value.JitterMs, f.Value.RoundTripMs, f.Value.MeanOpinionScore, f.Value.Grade.ToString().ToLowerInvariant(), at),
            StringComparer.Ordinal);
        return store.SetAsync(keys.CallQuality(callId.ToString()), JsonSerializer.Serialize(views, CallsJson.Default.DictionaryStringCallQualityView),
            options.Value.QualityInterval * 3);
    }

    public Task ForgetQualityAsync(CallId callId) => store.DeleteAsync(keys.CallQuality(callId.ToString()));
}
