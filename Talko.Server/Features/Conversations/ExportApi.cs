using System.IO.Compression;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Blobs;
using Talko.Core.Conversations;
using Talko.Core.Conversations.Media;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Conversations;

/// <summary>
/// timeline.json in the export: the conversation, its timeline (tombstones included), tags, bookmarks, the exporting
/// user's own flags, and the names of everyone it mentions by id; media under media/, calls in calls.json.
/// </summary>
public sealed record ConversationExport(
    ConversationView Conversation,
    IReadOnlyList<TimelineItem> Items,
    IReadOnlyList<TagView> Tags,
    IReadOnlyList<BookmarkView> Bookmarks,
    IReadOnlyList<FlagView> Flags,
    IReadOnlyList<ExportedPerson> People,
    DateTimeOffset ExportedAt);

/// <summary>A person an exported id refers to; <c>DisplayName</c> is null when they never set one or deleted their account.</summary>
public sealed record ExportedPerson(Guid UserId, string? DisplayName);

public static class ExportApi
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/conversations/{conversationId:guid}/export", Export).WithTags("Timeline").RequireAuthorization()
            .WithSummary("A zip of the conversation: timeline.json (items, tags, bookmarks, my flags, people), media/{blobId}.{ext}, calls.json and calls/{callId}.wav");
        return routes;
    }

    /// <summary>
    /// Builds the zip in a temporary file (deleted when the response ends) so media stream from the blob
    /// store to disk to the client and the archive is never held in memory.
    /// </summary>
    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Export(
        Guid conversationId, HttpContext http, TalkoDbContext db, IBlobStore blobs, TimeProvider time, IOptions<ConversationsOptions> options,
        IOptions<JsonOptions> json, IEnumerable<IConversationExportPart> parts, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        if (await ConversationAccess.FindAsync(db, conversationId, userId, cancellationToken) is null)
        {
            return Problems.NotFound("conversation");
        }

        var count = await db.Set<Item>().CountAsync(i => i.ConversationId == conversationId, cancellationToken);
        if (count > options.Value.MaxExportItems)
        {
            return Problems.Conflict("too_large", $"Exports carry at most {options.Value.MaxExportItems} items; this conversation has {count}.");
        }

        var items = await db.Set<Item>().AsNoTracking().Where(i => i.ConversationId == conversationId).OrderBy(i => i.Seq).ToListAsync(cancellationToken);
        var tags = await db.Set<Tag>().AsNoTracking().Where(t => t.ConversationId == conversationId && t.RemovedAt == null).ToListAsync(cancellationToken);
        var bookmarks = await db.Set<Bookmark>().AsNoTracking().Where(b => b.ConversationId == conversationId && b.RemovedAt == null).ToListAsync(cancellationToken);
        var flags = await db.Set<Flag>().AsNoTracking().Where(f => f.ConversationId == conversationId && f.UserId == userId && f.RemovedAt == null).ToListAsync(cancellationToken);
        var media = await db.Set<MediaBlob>().AsNoTracking().Where(m => m.ConversationId == conversationId).ToListAsync(cancellationToken);
        var export = new ConversationExport(
            (await Views.ConversationsAsync(db, [conversationId], userId, cancellationToken))[0],
            await Views.ItemsAsync(db, items, cancellationToken),
            tags.Select(Views.Tag).ToList(),
            bookmarks.Select(Views.Bookmark).ToList(),
            flags.Select(Views.Flag).ToList(),
            await PeopleAsync(db, conversationId, items, tags, bookmarks, cancellationToken),
            time.GetUtcNow());

        var path = Path.Combine(Path.GetTempPath(), $"talko-export-{Guid.NewGuid():N}.zip");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.Asynchronous | FileOptions.DeleteOnClose);
        try
        {
            await using (var zip = new ZipArchive(file, ZipArchiveMode.Create, leaveOpen: true))
            {
                await using (var entry = await zip.CreateEntry("timeline.json", CompressionLevel.Optimal).OpenAsync(cancellationToken))
                {
                    await JsonSerializer.SerializeAsync(entry, export, json.Value.SerializerOptions, cancellationToken);
                }

                foreach (var blob in media)
                {
                    await using var content = await blobs.OpenReadAsync(blob.BlobId, cancellationToken);
                    if (content is null)
                    {
                        continue;
                    }

                    var extension = Extension(blob.ContentType);
                    // Photos and audio are compressed already; storing them saves CPU for nothing lost.
                    await using var entry = await zip.CreateEntry($"media/{blob.BlobId}.{extension}", CompressionLevel.NoCompression).OpenAsync(cancellationToken);
                    await content.CopyToAsync(entry, cancellationToken);
                }

                foreach (var part in parts)
                {
                    await part.AddAsync(zip, conversationId, cancellationToken);
                }
            }

            file.Position = 0;
            return TypedResults.Stream(file, "application/zip", $"conversation-{conversationId}.zip");
        }
        catch
        {
            await file.DisposeAsync();
            throw;
        }
    }

    /// <summary>Everyone who is or was a member, and every author, adder or subject named in the export (call participants are members).</summary>
    private static async Task<IReadOnlyList<ExportedPerson>> PeopleAsync(
        TalkoDbContext db, Guid conversationId, List<Item> items, List<Tag> tags, List<Bookmark> bookmarks, CancellationToken cancellationToken)
    {
        var ids = await db.Set<ConversationMember>().AsNoTracking().Where(m => m.ConversationId == conversationId).Select(m => m.UserId).ToListAsync(cancellationToken);
        ids.AddRange(items.SelectMany(i => new[] { i.AuthorId, i.SubjectUserId }).OfType<Guid>());
        ids.AddRange(tags.Select(t => t.AddedBy));
        ids.AddRange(bookmarks.Select(b => b.AuthorId));
        var distinct = ids.Distinct().ToList();
        var names = await db.Set<User>().AsNoTracking().Where(u => distinct.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.DisplayName, cancellationToken);
        return [.. distinct.Select(id => new ExportedPerson(id, names.GetValueOrDefault(id))).OrderBy(p => p.DisplayName, StringComparer.Ordinal).ThenBy(p => p.UserId)];
    }

    private static string Extension(string contentType) =>
        Enum.GetValues<MediaFormat>().FirstOrDefault(f => f.ContentType() == contentType) is var format && format != MediaFormat.Unknown ? format.FileExtension() : "bin";
}
