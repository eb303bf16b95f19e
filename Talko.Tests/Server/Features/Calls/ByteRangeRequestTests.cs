using Talko.Server.Features.Calls;

namespace Talko.Tests.Server.Features.Calls;

/// <summary>How the recording endpoint reads a Range header (RFC 9110 section 14) against a resource's length.</summary>
public sealed class ByteRangeRequestTests
{
    private const long Length = 1000;

    [Theory]
    [InlineData("bytes=0-0", 0, 0)]
    [InlineData("bytes=0-", 0, 999)]
    [InlineData("bytes=100-199", 100, 199)]
    [InlineData("bytes=900-5000", 900, 999)] // the end is clamped to the last byte
    [InlineData("bytes=999-", 999, 999)]
    [InlineData("bytes=-1", 999, 999)] // a suffix: the last byte
    [InlineData("bytes=-200", 800, 999)]
    [InlineData("bytes=-5000", 0, 999)] // a suffix longer than the resource is all of it
    [InlineData("BYTES=10-20", 10, 20)] // the unit is case-insensitive
    [InlineData("bytes= 10 - 20 ", 10, 20)]
    [InlineData("bytes=0-9223372036854775807", 0, 999)]
    public void OneSatisfiableRangeIsPartial(string header, long from, long to)
    {
        var range = ByteRangeRequest.Parse(header, Length);
        Assert.Equal(new ByteRangeRequest(ByteRangeKind.Partial, from, to), range);
        Assert.Equal(to - from + 1, range.Length);
    }

    [Theory]
    [InlineData("bytes=1000-")] // starts at the end
    [InlineData("bytes=1000-1000")]
    [InlineData("bytes=5000-6000")]
    [InlineData("bytes=-0")] // the last zero bytes
    public void ARangePastTheEndIsUnsatisfiable(string header) =>
        Assert.Equal(ByteRangeKind.Unsatisfiable, ByteRangeRequest.Parse(header, Length).Kind);

    [Theory]
    [InlineData("bytes=0-")]
    [InlineData("bytes=-10")]
    public void NothingOfAnEmptyResourceCanBeServed(string header) =>
        Assert.Equal(ByteRangeKind.Unsatisfiable, ByteRangeRequest.Parse(header, 0).Kind);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("items=0-10")] // another unit
    [InlineData("bytes=")]
    [InlineData("bytes=-")]
    [InlineData("bytes=10")]
    [InlineData("bytes=20-10")] // last before first: invalid, so ignored
    [InlineData("bytes=a-10")]
    [InlineData("bytes=+1-10")]
    [InlineData("bytes=1.5-10")]
    [InlineData("bytes=0x10-20")]
    [InlineData("bytes=-1-2")]
    [InlineData("bytes=99999999999999999999-")] // overflows a long
    [InlineData("bytes=0-10,20-30")] // several ranges: the whole resource rather than multipart
    [InlineData("bytes=0-10, 2000-3000")]
    public void AnythingElseServesTheWholeResource(string? header) =>
        Assert.Equal(new ByteRangeRequest(ByteRangeKind.Whole, 0, Length - 1), ByteRangeRequest.Parse(header, Length));

    [Theory]
    [InlineData("bytes=0-", 0, 99)]
    [InlineData("bytes=950-", 950, 999)] // the chunk is cut at the end
    [InlineData("bytes=0-499", 0, 499)] // an explicit end is served as asked
    [InlineData("bytes=-300", 700, 999)] // and so is a suffix
    public void AnOpenEndedRangeIsServedInChunks(string header, long from, long to) =>
        Assert.Equal(new ByteRangeRequest(ByteRangeKind.Partial, from, to), ByteRangeRequest.Parse(header, Length, openEndedChunk: 100));

    [Fact]
    public void AChunkNearTheLargestOffsetDoesNotOverflow() =>
        Assert.Equal(ByteRangeKind.Unsatisfiable, ByteRangeRequest.Parse($"bytes={long.MaxValue - 5}-", Length, openEndedChunk: 100).Kind);

    [Fact]
    public void AnOverlongHeaderIsIgnored() =>
        Assert.Equal(ByteRangeKind.Whole, ByteRangeRequest.Parse("bytes=" + new string('0', ByteRangeRequest.MaxHeaderLength) + "-1", Length).Kind);

    [Fact]
    public void AnIfRangeNeverMatchesSoTheWholeResourceIsServed() =>
        Assert.Equal(ByteRangeKind.Whole, ByteRangeRequest.Parse("bytes=0-10", Length, hasIfRange: true).Kind);
}
