using Microsoft.Net.Http.Headers;

namespace Talko.Server.Features.Calls;

/// <summary>
/// Writes a recording with byte ranges: Accept-Ranges always, 206 with Content-Range for one satisfiable range (an
/// open-ended one in chunks), 416 with <c>Content-Range: bytes */length</c> for one past the end, 200 otherwise. A live recording is a snapshot: its
/// length is what was written when the request came (ADR 0812), so it is never cached.
/// </summary>
internal sealed class RangedAudioResult(RecordingAudio audio, string fileName, long openEndedChunk, ILogger logger) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        await using var content = audio.Content;
        var request = httpContext.Request;
        var response = httpContext.Response;
        var length = content.Length;
        var range = ByteRangeRequest.Parse(request.Headers.Range, length, request.Headers.ContainsKey(HeaderNames.IfRange), openEndedChunk);
        response.Headers.AcceptRanges = "bytes";
        response.Headers.CacheControl = audio.Live ? "no-store" : "private, no-cache";
        response.Headers.ContentDisposition = new ContentDispositionHeaderValue("inline") { FileNameStar = fileName }.ToString();
        if (range.Kind == ByteRangeKind.Unsatisfiable)
        {
            var asked = request.Headers.Range.ToString();
            CallsLog.RangeNotSatisfiable(logger, asked[..Math.Min(asked.Length, ByteRangeRequest.MaxHeaderLength)], length);
            response.StatusCode = StatusCodes.Status416RangeNotSatisfiable;
            response.Headers.ContentRange = $"bytes */{length}";
            return;
        }

        response.ContentType = audio.ContentType;
        long from = 0, count = length;
        if (range.Kind == ByteRangeKind.Partial)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            response.Headers.ContentRange = $"bytes {range.From}-{range.To}/{length}";
            from = range.From;
            count = range.Length;
        }

        response.ContentLength = count;
        content.Position = from;
        var buffer = new byte[64 * 1024];
        var cancellationToken = httpContext.RequestAborted;
        while (count > 0)
        {
            var read = await content.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, count)), cancellationToken);
            if (read == 0)
            {
                break;
            }

            await response.Body.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            count -= read;
        }
    }
}
