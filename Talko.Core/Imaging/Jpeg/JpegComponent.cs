namespace Talko.Core.Imaging.Jpeg;

/// <summary>One image component of a frame (T.81 B.2.2) and the samples of its current MCU row.</summary>
internal sealed class JpegComponent(int id, int horizontal, int vertical, int quantTable)
{
    public int Id { get; } = id;

    public int Horizontal { get; set; } = horizontal;

    public int Vertical { get; set; } = vertical;

    public int QuantTable { get; } = quantTable;

    public HuffmanDecodingTable? DcTable { get; set; }

    public HuffmanDecodingTable? AcTable { get; set; }

    public int DcPrediction { get; set; }

    /// <summary>Samples of one MCU row: <see cref="Stride"/> wide, Vertical * block size high.</summary>
    public byte[] Samples { get; set; } = [];

    public int Stride { get; set; }

    /// <summary>
    /// Samples each 8x8 block yields across and down: 8x8 at full scale; at 1/2, 1/4, 1/8 scale 4, 2 or 1 for a
    /// full-resolution component and up to 8 for a subsampled one (means of equal boxes of the block), so
    /// chroma keeps the output's resolution where it can instead of being replicated.
    /// </summary>
    public int BlockWidth { get; set; } = 8;

    public int BlockHeight { get; set; } = 8;

    /// <summary>Whether AC coefficients matter (anything but one sample per block).</summary>
    public bool KeepsAc => BlockWidth > 1 || BlockHeight > 1;

    /// <summary>Coefficients kept per block when decoding scan by scan.</summary>
    public int PerBlock => KeepsAc ? 64 : 1;

    /// <summary>Sample rows of this component in one MCU row.</summary>
    public int RowsPerMcu => Vertical * BlockHeight;

    /// <summary>Blocks per line and per column of the whole (MCU-padded) component, for images decoded scan by scan.</summary>
    public int BlocksPerLine { get; set; }

    public int BlocksPerColumn { get; set; }

    /// <summary>Blocks a non-interleaved scan of this component covers: only those holding samples (A.2.2), not the MCU padding.</summary>
    public int ScanBlocksPerLine { get; set; }

    public int ScanBlocksPerColumn { get; set; }

    /// <summary>Zig-zag-ordered coefficients of every block (64 per block, or 1 when only DC is kept), for images decoded scan by scan.</summary>
    public short[] Coefficients { get; set; } = [];

    /// <summary>For each output column, the column of this component's sample that covers it (upsampling by replication).</summary>
    public int[] ColumnOf { get; set; } = [];
}
