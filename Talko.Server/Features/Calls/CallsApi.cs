using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Talko.Core.Blobs;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Conversations.Entities;

namespace Talko.Server.Features.Calls;

public static class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/conversations/{conversationId:guid}/calls", Start).WithTags("Calls").RequireAuthorization()
            .WithSummary("Start a call: a call-started item, a callStarted event, notifications, and members' SIP devices ring");
        var calls = routes.MapGroup("/v1/calls/{callId:guid}").WithTags("Calls").RequireAuthorization();
        calls.MapGet("", Get).WithSummary("State, participants and who is talking");
        calls.MapPost("/join", Join).WithSummary("The SIP URI on the owning instance and which of this device's SIP credentials to use");
        calls.MapPost("/leave", Leave).WithSummary("Hang up this device's SIP legs in the call");
        calls.MapPost("/end", End).WithSummary("End the call (its starter or a group admin)");
        calls.MapGet("/recording", Recording).WithSummary("The whole recording as one WAV (Range requests supported), also while live");
        calls.MapGet("/timeline", CallTimeline).WithSummary("Markers over the recording: talkers, joins and leaves, texts, photos, tags, bookmarks");
        return routes;
    }

    private static async Task<Results<Created<CallView>, ProblemHttpResult>> Start(Guid conversationId, HttpContext http, CallService calls, CancellationToken cancellationToken)
    {
        var result = await calls.StartAsync(conversationId, http.User.GetUserId(), cancellationToken);
        if (result is null)
        {
            return Problems.NotFound("conversation");
        }

        if (result.RetryAfter is { } wait)
        {
            http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "call_unavailable", "No instance can take a new call right now.",
                "This instance is draining and no other instance is serving; try again shortly.");
        }

        if (result.ExistingCallId is { } existing)
        {
            return Problems.Conflict("call_live", $"Call {existing} is already live in this conversation; join it.");
        }

        return TypedResults.Created($"/v1/calls/{result.Call!.Id}", result.Call);
    }

    private static async Task<Results<Ok<CallView>, ProblemHttpResult>> Get(Guid callId, HttpContext http, TalkoDbContext db, CallService calls, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, callId, http.User.GetUserId(), cancellationToken) is not { } found)
        {
            return Problems.NotFound("call");
        }

        return TypedResults.Ok((await calls.ViewAsync(found.Call.Id, cancellationToken))!);
    }

    private static async Task<Results<Ok<JoinCallResponse>, ProblemHttpResult>> Join(
        Guid callId, HttpContext http, TalkoDbContext db, CallPlacement placement, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, callId, http.User.GetUserId(), cancellationToken) is not { } found)
        {
            return Problems.NotFound("call");
        }

        if (found.Call.EndedAt is not null)
        {
            return Problems.Conflict("call_ended", "The call has ended; its recording can be played.");
        }

        var deviceId = http.User.GetDeviceId();
        var device = await db.Set<Talko.Server.Features.Accounts.Entities.Device>().AsNoTracking().Where(d => d.Id == deviceId)
            .Select(d => new { d.SipUsername, d.SipRealm }).SingleOrDefaultAsync(cancellationToken);
        if (device is null)
        {
            return Problems.NotFound("device");
        }

        var location = await placement.LocateAsync(callId, cancellationToken);
        if (!location.Found)
        {
            if (location.RetryAfter is { } wait)
            {
                http.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return Problems.Problem(StatusCodes.Status503ServiceUnavailable, "call_unavailable", "No instance can take the call right now.", "Try again shortly.");
        }

        return TypedResults.Ok(new JoinCallResponse(callId, CallPlacement.ConferenceUri(callId, location.SipAddress!), device.SipUsername, device.SipRealm, location.OwnerInstanceId!));
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> Leave(Guid callId, HttpContext http, TalkoDbContext db, CallService calls, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, callId, http.User.GetUserId(), cancellationToken) is null)
        {
            return Problems.NotFound("call");
        }

        await calls.LeaveAsync(callId, http.User.GetUserId(), http.User.FindDeviceId());
        return TypedResults.Accepted($"/v1/calls/{callId}");
    }

    private static async Task<Results<Ok<CallView>, ProblemHttpResult>> End(Guid callId, HttpContext http, TalkoDbContext db, CallService calls, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await FindAsync(db, callId, userId, cancellationToken) is not { } found)
        {
            return Problems.NotFound("call");
        }

        if (found.Call.StartedBy != userId && !found.Access.CanManage)
        {
            return Problems.Forbidden("Only the call's starter or a group admin may end it for everyone; use leave.");
        }

        return TypedResults.Ok((await calls.EndAsync(callId, CallService.EndedByUser, cancellationToken, userId))!);
    }

    private static async Task<IResult> Recording(Guid callId, HttpContext http, TalkoDbContext db, IBlobStore blobs, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, callId, http.User.GetUserId(), cancellationToken) is null)
        {
            return Problems.NotFound("call");
        }

        var segments = await db.Set<RecordingSegment>().AsNoTracking().Where(s => s.CallId == callId).OrderBy(s => s.Index).ToListAsync(cancellationToken);
        var parts = new List<RecordingStream.Part>();
        foreach (var segment in segments)
        {
            if (segment is { State: SegmentState.Complete, BlobId: { } blobId, DataBytes: > 0 }
                && await blobs.OpenReadAsync(blobId, cancellationToken) is { } blob)
            {
                parts.Add(new RecordingStream.Part(blob, Talko.Core.Media.Recording.WavFormat.HeaderLength, segment.DataBytes.Value));
            }
            else if (segment.State == SegmentState.Recording && File.Exists(segment.LocalPath))
            {
                // Live: as far as it is written now. Reachable from other instances only on a shared volume (ADR 0602).
                var file = new FileStream(segment.LocalPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                var length = Math.Max(0, (file.Length - Talko.Core.Media.Recording.WavFormat.HeaderLength) & ~1L);
                parts.Add(new RecordingStream.Part(file, Talko.Core.Media.Recording.WavFormat.HeaderLength, length));
            }
        }

        var stream = new RecordingStream(Talko.Core.Media.Codecs.G711.SampleRate, parts);
        return TypedResults.File(stream, "audio/wav", $"call-{callId:N}.wav", enableRangeProcessing: true);
    }

    private static async Task<Results<Ok<CallTimelineView>, ProblemHttpResult>> CallTimeline(
        Guid callId, HttpContext http, TalkoDbContext db, CallService calls, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, callId, http.User.GetUserId(), cancellationToken) is null)
        {
            return Problems.NotFound("call");
        }

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
        return TypedResults.Ok(new CallTimelineView(callId, await calls.RecordedMsAsync(callId, cancellationToken), views,
            [.. markers.OrderBy(m => m.OffsetMs).ThenBy(m => m.Kind, StringComparer.Ordinal)]));
    }

    /// <summary>The call and the caller's standing in its conversation; null when there is no such call or the caller is not a member.</summary>
    private static async Task<(Call Call, ConversationAccess Access)?> FindAsync(TalkoDbContext db, Guid callId, Guid userId, CancellationToken cancellationToken)
    {
        var call = await db.Set<Call>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == callId, cancellationToken);
        return call is not null && await ConversationAccess.FindAsync(db, call.ConversationId, userId, cancellationToken) is { } access ? (call, access) : null;
    }
}
