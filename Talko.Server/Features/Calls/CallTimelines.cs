using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Talko.Server.Data;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations.Entities;

namespace Talko.Server.Features.Calls;

/// <summary>A call's markers over its recording: for GET /v1/calls/{id}/timeline and the conversation export.</summary>
internal static class CallTimelines
{
    public static async Task<CallTimelineView> BuildAsync(TalkoDbContext db, CallService calls, Guid callId, CancellationToken cancellationToken)
    {
        var segments = await db.Set<RecordingSegment>().AsNoTracking().Where(s => s.CallId == callId).OrderBy(s => s.Index).ToListAsync(cancellationToken);
        var participants = await db.Set<CallParticipant>().AsNoTracking().Where(p => p.CallId == callId).ToListAsync(cancellationToken);
        var users = participants.ToDictionary(p => p.LegId, p => p.UserId, StringComparer.Ordinal);
        var markers = new List<CallMarker>();
        foreach (var segment in segments.Where(s => s.TalkersJson is not null))
        {
            foreach (var spurt in JsonSerializer.Deserialize(segment.TalkersJson!, CallsJson.Default.ListTalkerSpurt) ?? [])
            {
                if (users.TryGetValue(spurt.LegId, out var userId))
                {
                    markers.Add(new CallMarker("talker", segment.BaseOffsetMs + spurt.StartMs, segment.BaseOffsetMs + spurt.EndMs, userId, null, null, null));
                }
            }
        }

        foreach (var participant in participants)
        {
            markers.Add(new CallMarker("join", participant.JoinOffsetMs, null, participant.UserId, null, null, null));
            if (participant.LeaveOffsetMs is { } left)
            {
                markers.Add(new CallMarker("leave", left, null, participant.UserId, null, null, null));
            }
        }

        var items = await db.Set<Item>().AsNoTracking().Where(i => i.CallId == callId && i.Kind != Talko.Core.Conversations.ItemKind.System && i.DeletedAt == null)
            .Select(i => new { i.Id, i.Kind, i.AuthorId, i.CallOffsetMs }).ToListAsync(cancellationToken);
        markers.AddRange(items.Select(i => new CallMarker(
            i.Kind switch { Talko.Core.Conversations.ItemKind.Photo => "photo", Talko.Core.Conversations.ItemKind.VoiceClip => "voiceClip", _ => "text" },
            i.CallOffsetMs ?? 0, null, i.AuthorId, i.Id, null, null)));
        var tags = await db.Set<Tag>().AsNoTracking().Where(t => t.CallId == callId && t.RemovedAt == null).ToListAsync(cancellationToken);
        markers.AddRange(tags.Select(t => new CallMarker("tag", t.CallOffsetMs ?? 0, null, t.AddedBy, t.ItemId, t.Name, null)));
        var bookmarks = await db.Set<Bookmark>().AsNoTracking().Where(b => b.CallId == callId && b.RemovedAt == null).ToListAsync(cancellationToken);
        markers.AddRange(bookmarks.Select(b => new CallMarker("bookmark", b.CallOffsetMs ?? 0, null, b.AuthorId, b.ItemId, null, b.Note)));

        var views = segments.Select(s => new RecordingSegmentView(s.Index, s.State.ToString(), s.InstanceId, s.BaseOffsetMs, s.DurationMs,
            new DateTimeOffset(DateTime.SpecifyKind(s.StartedAt, DateTimeKind.Utc)))).ToList();
        return new CallTimelineView(callId, await calls.RecordedMsAsync(callId, cancellationToken), views,
            [.. markers.OrderBy(m => m.OffsetMs).ThenBy(m => m.Kind, StringComparer.Ordinal)]);
    }
}
