using System.Globalization;

namespace Talko.Server.Features.Calls;

/// <summary>What a request's Range header asks of a resource of a known length (RFC 9110 section 14).</summary>
internal enum ByteRangeKind
{
    /// <summary>No usable Range (absent, another unit, malformed, several ranges, or an If-Range we cannot match): 200 with everything.</summary>
    Whole,

    /// <summary>One satisfiable range: 206 with <see cref="ByteRangeRequest.From"/>..<see cref="ByteRangeRequest.To"/>.</summary>
    Partial,

    /// <summary>A well-formed range that starts past the end (or asks for nothing): 416.</summary>
    Unsatisfiable,
}

/// <summary>
/// One byte range, parsed strictly and bounded: digits only, no overflow, at most one range (several are answered with
/// the whole resource, which RFC 9110 allows, rather than multipart). <see cref="To"/> is inclusive.
/// </summary>
internal readonly record struct ByteRangeRequest(ByteRangeKind Kind, long From, long To)
{
    /// <summary>Longest Range header looked at; longer ones are ignored as malformed.</summary>
    public const int MaxHeaderLength = 200;

    public long Length => To - From + 1;

    /// <summary>
    /// Evaluates <paramref name="range"/> against <paramref name="length"/> bytes. Any If-Range makes it Whole: these
    /// responses carry no validator (the content of a live recording grows), so no If-Range can be known to match. An
    /// open-ended range (<c>bytes=N-</c>) gets at most <paramref name="openEndedChunk"/> bytes; the 206's Content-Range
    /// says so and the client asks for more.
    /// </summary>
    public static ByteRangeRequest Parse(string? range, long length, bool hasIfRange = false, long openEndedChunk = long.MaxValue)
    {
        var whole = new ByteRangeRequest(ByteRangeKind.Whole, 0, length - 1);
        if (hasIfRange || string.IsNullOrWhiteSpace(range) || range.Length > MaxHeaderLength)
        {
            return whole;
        }

        var span = range.AsSpan().Trim();
        if (!span.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase))
        {
            return whole;
        }

        span = span["bytes=".Length..].Trim();
        if (span.Contains(','))
        {
            return whole;
        }

        var dash = span.IndexOf('-');
        if (dash < 0)
        {
            return whole;
        }

        var first = span[..dash].Trim();
        var last = span[(dash + 1)..].Trim();
        if (first.IsEmpty)
        {
            // A suffix: the last N bytes.
            if (!TryParseDigits(last, out var suffix))
            {
                return whole;
            }

            return suffix == 0 || length == 0
                ? Unsatisfiable(length)
                : new ByteRangeRequest(ByteRangeKind.Partial, Math.Max(0, length - suffix), length - 1);
        }

        if (!TryParseDigits(first, out var from))
        {
            return whole;
        }

        long to;
        if (last.IsEmpty)
        {
            to = from > long.MaxValue - openEndedChunk ? long.MaxValue : from + openEndedChunk - 1;
        }
        else if (!TryParseDigits(last, out to) || to < from)
        {
            return whole; // "5-3" is invalid syntax (section 14.1.1), so the header is ignored
        }

        return from >= length ? Unsatisfiable(length) : new ByteRangeRequest(ByteRangeKind.Partial, from, Math.Min(to, length - 1));
    }

    private static ByteRangeRequest Unsatisfiable(long length) => new(ByteRangeKind.Unsatisfiable, 0, length - 1);

    private static bool TryParseDigits(ReadOnlySpan<char> text, out long value)
    {
        value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return !text.IsEmpty && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
