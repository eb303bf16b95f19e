using System.Buffers;
using System.Security.Cryptography;

namespace Talko.Core.Blobs;

/// <summary>
/// Blobs as files under one directory (a local folder embedded, a shared volume when scaled out).
/// Content goes to a temporary file first and is renamed into place when complete, so a reader never
/// sees half a blob and a failed upload leaves nothing behind.
/// </summary>
public sealed class FileSystemBlobStore : IBlobStore
{
    private readonly string root;

    public FileSystemBlobStore(string root)
    {
        this.root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(this.root, "tmp"));
    }

    public async Task<StoredBlob> PutAsync(Stream content, long maxBytes, CancellationToken cancellationToken = default)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var temporary = Path.Combine(root, "tmp", id);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        try
        {
            long length = 0;
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                    if (length > maxBytes)
                    {
                        throw new BlobTooLargeException(maxBytes);
                    }

                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
                }
            }

            var final = PathFor(id);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);
            File.Move(temporary, final);
            return new StoredBlob(id, length, Convert.ToHexStringLower(hash.GetHashAndReset()));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }

    public Task<Stream?> OpenReadAsync(string blobId, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(blobId) || !File.Exists(PathFor(blobId)))
        {
            return Task.FromResult<Stream?>(null);
        }

        return Task.FromResult<Stream?>(new FileStream(PathFor(blobId), FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true));
    }

    public Task<bool> DeleteAsync(string blobId, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(blobId) || !File.Exists(PathFor(blobId)))
        {
            return Task.FromResult(false);
        }

        File.Delete(PathFor(blobId));
        return Task.FromResult(true);
    }

    /// <summary>Ids are ours (32 hex digits); anything else could escape the root as a path.</summary>
    private static bool IsValidId(string blobId) => blobId.Length == 32 && blobId.All(char.IsAsciiHexDigitLower);

    /// <summary>Two levels of fan-out keep directories small.</summary>
    private string PathFor(string id) => Path.Combine(root, id[..2], id);
}
