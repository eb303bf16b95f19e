using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Talko.Core.Blobs;
using Talko.Core.Conversations;
using Talko.Core.Conversations.Media;
using Talko.Core.Imaging;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Conversations;

/// <summary>The outcome of checking and storing an upload: the media rows to attach, or the problem to answer with.</summary>
public sealed record StoredMedia(MediaBlob Media, MediaBlob? Thumbnail, long? DurationMs);

/// <summary>
/// Streams a photo or voice clip from the request body into the blob store, then checks it by content:
/// the format from the first bytes (whatever the label or name says), the structure and duration from
/// the stored file. Anything refused is deleted before answering, so nothing is left behind.
/// </summary>
public sealed class MediaUpload(
    IBlobStore blobs, IThumbnailGenerator thumbnails, IOptions<ConversationsOptions> options, IOptions<ImagingOptions> imaging, ILogger<MediaUpload> logger)
{
    public async Task<(StoredMedia? Stored, ProblemHttpResult? Problem)> StoreAsync(HttpRequest request, ItemKind kind, Guid conversationId, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var maxBytes = kind == ItemKind.Photo ? settings.MaxPhotoBytes : settings.MaxVoiceClipBytes;
        if (request.ContentLength > maxBytes)
        {
            return Refuse(conversationId, Problems.TooLarge(maxBytes));
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = maxBytes + 1;
        }

        var header = new byte[MediaSniffer.HeaderLength];
        var headerLength = await request.Body.ReadAtLeastAsync(header, header.Length, throwOnEndOfStream: false, cancellationToken);
        var format = MediaSniffer.Detect(header.AsSpan(0, headerLength));
        var wanted = kind == ItemKind.Photo ? "a JPEG, PNG, WebP or HEIC image" : "WAV, Ogg/Opus or M4A (AAC) audio";
        if ((kind == ItemKind.Photo && !format.IsImage()) || (kind == ItemKind.VoiceClip && !format.IsAudio()))
        {
            return Refuse(conversationId, Problems.UnsupportedMedia($"The content is not {wanted}."));
        }

        if (MediaFormats.FormatsNamedBy(request.ContentType) is { } labelled && !labelled.Contains(format))
        {
            return Refuse(conversationId, Problems.UnsupportedMedia($"The content is {format.ContentType()} but was labelled {request.ContentType}."));
        }

        StoredBlob stored;
        try
        {
            stored = await blobs.PutAsync(new PrefixedStream(header.AsMemory(0, headerLength), request.Body), maxBytes, cancellationToken);
        }
        catch (BlobTooLargeException)
        {
            return Refuse(conversationId, Problems.TooLarge(maxBytes));
        }
        catch (BadHttpRequestException exception) when (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Refuse(conversationId, Problems.TooLarge(maxBytes));
        }

        var keep = false;
        string? thumbnailId = null;
        try
        {
            var result = kind == ItemKind.Photo
                ? await CheckPhotoAsync(stored, format, cancellationToken)
                : await CheckVoiceClipAsync(stored, format, cancellationToken);
            if (result.Problem is not null)
            {
                return Refuse(conversationId, result.Problem);
            }

            thumbnailId = result.Stored!.Thumbnail?.BlobId;
            keep = true;
            return result;
        }
        finally
        {
            if (!keep)
            {
                await blobs.DeleteAsync(stored.Id, CancellationToken.None);
                if (thumbnailId is not null)
                {
                    await blobs.DeleteAsync(thumbnailId, CancellationToken.None);
                }
            }
        }
    }

    private async Task<(StoredMedia? Stored, ProblemHttpResult? Problem)> CheckPhotoAsync(StoredBlob stored, MediaFormat format, CancellationToken cancellationToken)
    {
        await using var content = await blobs.OpenReadAsync(stored.Id, cancellationToken) ?? throw new InvalidOperationException("A blob just stored is missing.");
        var probe = await ImageProbe.ProbeAsync(content, format, cancellationToken);
        if (!probe.IsValid)
        {
            return (null, Problems.Unprocessable("invalid_image", probe.Error!));
        }

        MediaBlob? thumbnail = null;
        var generated = await thumbnails.GenerateAsync(content, format, probe, cancellationToken);
        if (generated is not null)
        {
            using var thumbnailContent = new MemoryStream(generated.Content.ToArray(), writable: false);
            var thumb = await blobs.PutAsync(thumbnailContent, options.Value.MaxPhotoBytes, cancellationToken);
            thumbnail = new MediaBlob { BlobId = thumb.Id, ContentType = generated.Format.ContentType(), Length = thumb.Length, Sha256 = thumb.Sha256 };
        }

        var (width, height) = PhotoDimensions.Trusted(generated, probe, imaging.Value);
        var media = new MediaBlob { BlobId = stored.Id, ContentType = format.ContentType(), Length = stored.Length, Sha256 = stored.Sha256, Width = width, Height = height };
        return (new StoredMedia(media, thumbnail, null), null);
    }

    private async Task<(StoredMedia? Stored, ProblemHttpResult? Problem)> CheckVoiceClipAsync(StoredBlob stored, MediaFormat format, CancellationToken cancellationToken)
    {
        await using var content = await blobs.OpenReadAsync(stored.Id, cancellationToken) ?? throw new InvalidOperationException("A blob just stored is missing.");
        var probe = await AudioProbe.ProbeAsync(content, format, cancellationToken);
        if (!probe.IsValid)
        {
            return (null, Problems.Unprocessable("invalid_audio", probe.Error!));
        }

        var limit = options.Value.MaxVoiceClipDuration;
        if (probe.Duration > limit)
        {
            return (null, Problems.Unprocessable("too_long", $"A voice clip lasts at most {limit.TotalMinutes:0.#} minutes; this one lasts {probe.Duration.Value.TotalMinutes:0.#}."));
        }

        var media = new MediaBlob { BlobId = stored.Id, ContentType = format.ContentType(), Length = stored.Length, Sha256 = stored.Sha256 };
        return (new StoredMedia(media, null, (long)probe.Duration!.Value.TotalMilliseconds), null);
    }

    private (StoredMedia? Stored, ProblemHttpResult? Problem) Refuse(Guid conversationId, ProblemHttpResult problem)
    {
        ConversationsLog.UploadRefused(logger, conversationId, problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "refused");
        return (null, problem);
    }
}
