namespace Talko.Core.Sip.Messages;

/// <summary>
/// Cuts a byte stream (TCP) into messages using Content-Length (RFC 3261 section 18.3). Bytes are appended
/// as they arrive; complete messages come out. A message that would exceed the size limit poisons the stream,
/// because framing cannot be recovered once lost.
/// </summary>
public sealed class SipStreamFramer(SipParserOptions options)
{
    private byte[] buffer = new byte[4096];
    private int length;

    /// <summary>Bytes of a message that has begun but not yet completed (keep-alive CRLFs are skipped once seen by <see cref="TryTake"/>).</summary>
    public int BufferedBytes => length;

    /// <summary>Set when the stream can no longer be framed (oversized or missing/invalid Content-Length).</summary>
    public bool IsBroken { get; private set; }

    public void Append(ReadOnlySpan<byte> data)
    {
        if (IsBroken)
        {
            return;
        }

        if (length + data.Length > options.MaxMessageSize * 2)
        {
            IsBroken = true;
            return;
        }
        if (length + data.Length > buffer.Length)
        {
            Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + data.Length));
        }

        data.CopyTo(buffer.AsSpan(length));
        length += data.Length;
    }

    /// <summary>Takes the next complete message, or false when more bytes are needed (or the stream is broken).</summary>
    public bool TryTake(out byte[] message)
    {
        message = [];
        if (IsBroken)
        {
            return false;
        }

        var span = buffer.AsSpan(0, length);
        var skip = 0;
        // CRLF keep-alives between messages (RFC 5626 section 3.5.1) are skipped.
        while (skip < span.Length && span[skip] is (byte)'\r' or (byte)'\n')
        {
            skip++;
        }

        if (skip > 0)
        { Consume(skip); span = buffer.AsSpan(0, length); }

        var headEnd = span.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            if (length > options.MaxMessageSize)
            {
                IsBroken = true;
            }

            return false;
        }
        // In long: a Content-Length near int.MaxValue must not wrap around and pass the size check.
        if (!TryReadContentLength(span[..headEnd], out var contentLength) || headEnd + 4L + contentLength > options.MaxMessageSize)
        {
            IsBroken = true;
            return false;
        }
        var total = headEnd + 4 + contentLength;
        if (length < total)
        {
            return false;
        }

        message = span[..total].ToArray();
        Consume(total);
        return true;
    }

    private void Consume(int count)
    {
        buffer.AsSpan(count, length - count).CopyTo(buffer);
        length -= count;
    }

    /// <summary>Finds Content-Length (or "l") at the start of a line; a stream message without one is unframeable.</summary>
    private static bool TryReadContentLength(ReadOnlySpan<byte> head, out int contentLength)
    {
        contentLength = 0;
        var found = false;
        var position = 0;
        while (position < head.Length)
        {
            var end = head[position..].IndexOf("\r\n"u8);
            var line = end < 0 ? head[position..] : head.Slice(position, end);
            position = end < 0 ? head.Length : position + end + 2;
            var colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].TrimEnd(" \t"u8);
            if (!(name.Length == 1 && (name[0] | 0x20) == 'l') && !System.Text.Ascii.EqualsIgnoreCase(name, "Content-Length"u8))
            {
                continue;
            }

            if (found)
            {
                return false;
            }

            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!System.Buffers.Text.Utf8Parser.TryParse(value, out contentLength, out var used) || used != value.Length || contentLength < 0)
            {
                return false;
            }

            found = true;
        }
        return found;
    }
}
