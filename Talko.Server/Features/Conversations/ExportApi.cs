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
using Talko.Server.Features.Conversations.Entities;

namespace Talko.Server.Features.Conversations;

/// <summary>The export's JSON: the conversation, its timeline (tombstones included), tags and bookmarks; media under media/.</summary>
public sealed record ConversationExport(ConversationView Conversation, IReadOnlyList<TimelineItem> Items, IReadOnlyList<TagView> Tags, IReadOnlyList<BookmarkView> Bookmarks, DateTimeOffset ExportedAt);

public static class ExportApi
{
    public static IEndpointRouteBuilder MapExportEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/conversations/{conversationId:guid}/export", Export).WithTags("Timeline").RequireAuthorization()
            .WithSummary("A zip of the conversation: timeline.json and media/{blobId}.{ext}");
        return routes;
    }

    /// <summary>
    /// Builds the zip in a temporary file (deleted when the response ends) so media stream from the blob
    /// store to disk to the client and the archive is never held in memory.
    /// </summary>
    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Export(
        Guid conversationId, HttpContext http, TalkoDbContext db, IBlobStore blobs, TimeProvider time, IOptions<ConversationsOptions> options,
        IOptions<JsonOptions> json, CancellationToken cancellationToken)
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
        var media = await db.Set<MediaBlob>().AsNoTracking().Where(m => m.ConversationId == conversationId).ToListAsync(cancellationToken);
        var export = new ConversationExport(
            (await Views.ConversationsAsync(db, [conversationId], userId, cancellationToken))[0],
            await Views.ItemsAsync(db, items, cancellationToken),
            tags.Select(Views.Tag).ToList(),
            bookmarks.Select(Views.Bookmark).ToList(),
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

    private static string Extension(string contentType) =>
        Enum.GetValues<MediaFormat>().FirstOrDefault(f => f.ContentType() == contentType) is var format && format != MediaFormat.Unknown ? format.FileExtension() : "bin";
}
