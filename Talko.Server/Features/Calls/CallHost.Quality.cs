using System.Collections.Concurrent;
using System.Text.Json;
using Talko.Core.Calls;
using Talko.Core.Media.Quality;

namespace Talko.Server.Features.Calls;

/// <summary>
/// Call quality in the view (ADR 0901): the owner reads each local leg's RTCP figures, keeps them in the ephemeral store
/// (so any instance's view shows them), and pushes callUpdated when a participant's grade changes, so clients see
/// quality drop and recover without polling; the figures themselves refresh in the view every interval.
/// </summary>
public sealed partial class CallHost
{
    /// <summary>The grades last pushed per call, by participant key, to tell a change from the same grade again.</summary>
    private readonly ConcurrentDictionary<CallId, IReadOnlyDictionary<string, string>> publishedGrades = new();

    /// <summary>One pass over the calls this instance owns; returns how many calls' grades changed (and were pushed).</summary>
    public async Task<int> ReportQualityAsync()
    {
        var changed = 0;
        var now = time.GetUtcNow();
        foreach (var callId in owned.Ids.Select(id => new CallId(id)))
        {
            var figures = new Dictionary<string, CallQualityView>(StringComparer.Ordinal);
            foreach (var leg in legs.Values.Where(l => l.CallId == callId))
            {
                if (conferences.QualityOf(callId, leg.LegId) is { Grade: not CallQualityGrade.Unknown } quality)
                {
                    figures[CallQualityRecords.Key(leg.UserId, leg.DeviceId)] = new CallQualityView(
                        quality.LossPercent, quality.JitterMs, quality.RoundTripMs, quality.MeanOpinionScore, quality.Grade.ToString().ToLowerInvariant(), now);
                }
            }

            if (figures.Count == 0)
            {
                continue;
            }

            await store.SetAsync(keys.CallQuality(callId.ToString()), JsonSerializer.Serialize(figures, CallsJson.Default.DictionaryStringCallQualityView),
                options.Value.QualityInterval * 3);
            var grades = figures.ToDictionary(f => f.Key, f => f.Value.Grade, StringComparer.Ordinal);
            var before = publishedGrades.GetValueOrDefault(callId);
            if (before is null || before.Count != grades.Count || grades.Any(g => before.GetValueOrDefault(g.Key) != g.Value))
            {
                publishedGrades[callId] = grades;
                changed++;
                Enqueue(callId, async () =>
                {
                    await using var scope = scopes.CreateAsyncScope();
                    await PublishUpdatedAsync(scope.ServiceProvider.GetRequiredService<CallReader>(), callId);
                });
            }
        }

        foreach (var gone in publishedGrades.Keys.Where(id => !owned.Contains(id.Value)))
        {
            publishedGrades.TryRemove(gone, out _);
        }

        return changed;
    }

    private async Task ForgetQualityAsync(CallId callId)
    {
        publishedGrades.TryRemove(callId, out _);
        await store.DeleteAsync(keys.CallQuality(callId.ToString()));
    }
}

/// <summary>How a live call's quality figures are kept in the ephemeral store: a map by participant key.</summary>
public static class CallQualityRecords
{
    /// <summary>The key of one participant's quality in the stored map: user and device, as the view lists them.</summary>
    public static string Key(Guid userId, Guid? deviceId) => $"{userId:N}/{deviceId:N}";

    /// <summary>The stored figures of a live call, by <see cref="Key"/>; empty when none (or unreadable).</summary>
    public static IReadOnlyDictionary<string, CallQualityView> Read(string? stored)
    {
        if (string.IsNullOrEmpty(stored))
        {
            return new Dictionary<string, CallQualityView>();
        }

        try
        {
            return JsonSerializer.Deserialize(stored, CallsJson.Default.DictionaryStringCallQualityView) ?? [];
        }
        catch (JsonException)
        {
            // Written by another version during a rolling deploy: the view goes without quality for an interval.
            return new Dictionary<string, CallQualityView>();
        }
    }
}
