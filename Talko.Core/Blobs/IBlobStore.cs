namespace Talko.Core.Blobs;

/// <summary>
/// Large immutable content: photos, voice clips, call recordings. Writes stream; nothing is held whole
/// in memory. A blob becomes visible under its id only once completely written.
/// </summary>
public interface IBlobStore
{
    /// <summary>Streams <paramref name="content"/> into a new blob, stopping with <see cref="BlobTooLargeException"/> past <paramref name="maxBytes"/>.</summary>
    Task<StoredBlob> PutAsync(Stream content, long maxBytes, CancellationToken cancellationToken = default);

    /// <summary>Opens a blob for reading (seekable), or null if there is none.</summary>
    Task<Stream?> OpenReadAsync(string blobId, CancellationToken cancellationToken = default);

    Task<bool> DeleteAsync(string blobId, CancellationToken cancellationToken = default);
}

/// <param name="Id">Opaque, URL-safe.</param>
/// <param name="Length">Bytes stored.</param>
/// <param name="Sha256">Hex digest of the content, used as its ETag.</param>
public sealed record StoredBlob(string Id, long Length, string Sha256);

public sealed class BlobTooLargeException(long maxBytes) : Exception($"The content exceeds the limit of {maxBytes} bytes.")
{
    public long MaxBytes { get; } = maxBytes;
}
