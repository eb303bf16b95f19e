namespace Talko.Core.Imaging.Jpeg;

/// <summary>Writes entropy-coded bits most significant first, stuffing a zero after every 0xFF byte (T.81 F.1.2.3).</summary>
internal sealed class JpegBitWriter(Stream output)
{
    private uint buffer;
    private int count;

    public void Write(int value, int bits)
    {
        for (var i = bits - 1; i >= 0; i--)
        {
            buffer = (buffer << 1) | (uint)((value >> i) & 1);
            if (++count == 8)
            {
                Emit();
            }
        }
    }

    /// <summary>Pads the last byte with one bits (F.1.2.3) so padding cannot look like a code prefix of zeros.</summary>
    public void Flush()
    {
        while (count != 0)
        {
            Write(1, 1);
        }
    }

    private void Emit()
    {
        var b = (byte)buffer;
        output.WriteByte(b);
        if (b == 0xFF)
        {
            output.WriteByte(0);
        }

        buffer = 0;
        count = 0;
    }
}
