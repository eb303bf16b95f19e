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

    /// <summary>For each output column, the column of this component's sample that covers it (upsampling by replication).</summary>
    public int[] ColumnOf { get; set; } = [];
}
