using System.Security.Cryptography;

namespace Talko.Core.Sip;

/// <summary>
/// Cryptographically strong random bytes for tags, branches, Call-IDs and nonces, drawn from the operating system's
/// generator a batch at a time per thread. Each <see cref="RandomNumberGenerator.Fill"/> call costs about the same
/// whether it asks for 8 bytes or 512 (OpenSSL's locks and fork check dominate), and a REGISTER needs three small
/// draws (ADR 0170). Bytes handed out are wiped from the batch, so none is given twice or left behind.
/// </summary>
internal static class BatchedRandom
{
    private const int BatchBytes = 512;

    /// <summary>Requests larger than this go to the generator directly rather than draining a batch.</summary>
    private const int LargestBatchedRequest = 64;

    [ThreadStatic]
    private static byte[]? batch;

    [ThreadStatic]
    private static int available;

    public static void Fill(Span<byte> destination)
    {
        if (destination.Length > LargestBatchedRequest)
        {
            RandomNumberGenerator.Fill(destination);
            return;
        }

        var buffer = batch ??= new byte[BatchBytes];
        if (available < destination.Length)
        {
            RandomNumberGenerator.Fill(buffer);
            available = BatchBytes;
        }

        var taken = buffer.AsSpan(BatchBytes - available, destination.Length);
        taken.CopyTo(destination);
        CryptographicOperations.ZeroMemory(taken);
        available -= destination.Length;
    }
}
