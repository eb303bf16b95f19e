using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Blobs;
using Talko.Core.Media.Codecs.Opus;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Calls.Entities;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Kernel;

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
        calls.MapGet("/recording", Recording)
            .WithSummary("The whole recording as one Ogg Opus stream (?format=wav: 16-bit 8 kHz PCM WAV), with Range requests, also while live");
        calls.MapPost("/recording/playback", Playback)
            .WithSummary("A signed URL, for this user and call and a few minutes, that plays the recording in an <audio> element with Range requests (no bearer token)");
        routes.MapGet("/v1/calls/{callId:guid}/recording/play", Play).WithTags("Calls").AllowAnonymous()
            .WithSummary("The recording as stored, by a signed URL from POST .../recording/playback: 403 when it is not valid, 410 when it expired");
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

    private static async Task<IResult> Recording(
        Guid callId, string? format, HttpContext http, TalkoDbContext db, IBlobStore blobs, OpusCodecs codecs, RecordingIndexCache indexes,
        IOptions<CallsOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        RecordingAudioForm? form = format switch
        {
            null => RecordingAudioForm.Stored,
            "wav" => RecordingAudioForm.Wav,
            _ => null,
        };
        if (form is null)
        {
            return Problems.Invalid("format: leave it out for the recording as stored (Ogg Opus), or wav.");
        }

        if (await FindAsync(db, callId, http.User.GetUserId(), cancellationToken) is null)
        {
            return Problems.NotFound("call");
        }

        var audio = await CallRecordings.OpenAsync(db, blobs, codecs, indexes, callId, form.Value, cancellationToken);
        return new RangedAudioResult(audio, $"call-{callId:N}{audio.Extension}", options.Value.RecordingRangeChunkBytes, loggers.CreateLogger(typeof(CallsApi)));
    }

    private static async Task<Results<Ok<RecordingPlaybackResponse>, ProblemHttpResult>> Playback(
        Guid callId, HttpContext http, TalkoDbContext db, RecordingPlaybackSigner signer, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await FindAsync(db, callId, userId, cancellationToken) is null)
        {
            return Problems.NotFound("call");
        }

        var (url, expiresAt) = signer.Issue(callId, userId);
        return TypedResults.Ok(new RecordingPlaybackResponse(url, expiresAt));
    }

    /// <summary>
    /// The recording by a signed playback URL (ADR 0813). Only the URL's own fields are read: never a token in the query.
    /// The user it was issued to must still be a member of the call's conversation.
    /// </summary>
    private static async Task<IResult> Play(
        Guid callId, string? user, string? expires, string? signature, HttpContext http, TalkoDbContext db, IBlobStore blobs, OpusCodecs codecs,
        RecordingIndexCache indexes, RecordingPlaybackSigner signer, IOptions<CallsOptions> options, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var logger = loggers.CreateLogger(typeof(CallsApi));
        http.Response.Headers["Referrer-Policy"] = "no-referrer";
        switch (signer.Check(callId, user, expires, signature, out var userId))
        {
            case PlaybackCheck.Invalid:
                CallsLog.PlaybackUrlRefused(logger, callId, "invalid");
                return Problems.Problem(StatusCodes.Status403Forbidden, "playback_url_invalid", "This playback URL is not valid.",
                    "Ask POST /v1/calls/{id}/recording/playback for one.");
            case PlaybackCheck.Expired:
                CallsLog.PlaybackUrlRefused(logger, callId, "expired");
                return Problems.Problem(StatusCodes.Status410Gone, "playback_url_expired", "This playback URL has expired.",
                    "Ask POST /v1/calls/{id}/recording/playback for a new one.");
        }

        if (await FindAsync(db, callId, userId, cancellationToken) is null)
        {
            // Signed for a member who has since left the conversation (or the call is gone).
            CallsLog.PlaybackUrlRefused(logger, callId, "not_member");
            return Problems.Problem(StatusCodes.Status403Forbidden, "playback_url_invalid", "This playback URL is not valid.",
                "Ask POST /v1/calls/{id}/recording/playback for one.");
        }

        var audio = await CallRecordings.OpenAsync(db, blobs, codecs, indexes, callId, RecordingAudioForm.Stored, cancellationToken);
        return new RangedAudioResult(audio, $"call-{callId:N}{audio.Extension}", options.Value.RecordingRangeChunkBytes, logger);
    }

    private static async Task<Results<Ok<CallTimelineView>, ProblemHttpResult>> CallTimeline(
        Guid callId, HttpContext http, TalkoDbContext db, CallService calls, CancellationToken cancellationToken)
    {
        if (await FindAsync(db, callId, http.User.GetUserId(), cancellationToken) is null)
        {
            return Problems.NotFound("call");
        }

        return TypedResults.Ok(await CallTimelines.BuildAsync(db, calls, callId, cancellationToken));
    }

    /// <summary>The call and the caller's standing in its conversation; null when there is no such call or the caller is not a member.</summary>
    private static async Task<(Call Call, ConversationAccess Access)?> FindAsync(TalkoDbContext db, Guid callId, Guid userId, CancellationToken cancellationToken)
    {
        var call = await db.Set<Call>().AsNoTracking().SingleOrDefaultAsync(c => c.Id == callId, cancellationToken);
        return call is not null && await ConversationAccess.FindAsync(db, call.ConversationId, userId, cancellationToken) is { } access ? (call, access) : null;
    }
}
