using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Net.Http.Headers;
using Talko.Core.Blobs;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Blobs;

public static class BlobsApi
{
    public static IEndpointRouteBuilder MapBlobsApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/blobs/{blobId}", Get).WithTags("Blobs").RequireAuthorization()
            .WithSummary("Photo, thumbnail or voice clip, for members of its conversation; supports Range and If-None-Match");
        return routes;
    }

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Get(string blobId, HttpContext http, TalkoDbContext db, IBlobStore blobs, CancellationToken cancellationToken)
    {
        var userId = http.User.GetUserId();
        var media = await db.Set<MediaBlob>().AsNoTracking().SingleOrDefaultAsync(m => m.BlobId == blobId, cancellationToken);
        if (media is null || await ConversationAccess.FindAsync(db, media.ConversationId, userId, cancellationToken) is null)
        {
            return Problems.NotFound("blob");
        }

        var content = await blobs.OpenReadAsync(blobId, cancellationToken);
        if (content is null)
        {
            return Problems.NotFound("blob");
        }

        // Blobs never change, so the content hash is a strong validator and caching may be long (but private: members only).
        http.Response.Headers.CacheControl = "private, max-age=31536000, immutable";
        return TypedResults.Stream(content, media.ContentType, fileDownloadName: null, lastModified: Views.Utc(media.CreatedAt),
            entityTag: new EntityTagHeaderValue($"\"{media.Sha256}\""), enableRangeProcessing: true);
    }
}
