namespace Talko.Core.Imaging.Jpeg;

/// <summary>The zig-zag sequence of T.81 figure A.6: NaturalIndex[k] is the row-major position of the k-th coefficient.</summary>
internal static class ZigZag
{
    public static readonly int[] NaturalIndex = Build();

    /// <summary>Walks the anti-diagonals, alternating direction: up-right on even diagonals, down-left on odd ones.</summary>
    private static int[] Build()
    {
        var order = new int[64];
        var k = 0;
        for (var diagonal = 0; diagonal < 15; diagonal++)
        {
            for (var i = 0; i <= diagonal; i++)
            {
                var row = diagonal % 2 == 0 ? diagonal - i : i;
                var column = diagonal - row;
                if (row < 8 && column < 8)
                {
                    order[k++] = (row * 8) + column;
                }
            }
        }

        return order;
    }
}
