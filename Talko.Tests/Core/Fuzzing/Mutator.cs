using System.Text;

namespace Talko.Tests.Core.Fuzzing;

/// <summary>
/// Turns seed inputs into hostile variants: byte-level damage for any protocol, and line-level damage for text
/// protocols (SIP), where the interesting failures hide in repeated, missing, reordered or oversized header lines.
/// Deterministic for a given seed, so a failure is reproduced by its run seed and iteration number.
/// </summary>
internal sealed class Mutator(int seed)
{
    private static readonly byte[] InterestingBytes = [0x00, 0x01, 0x7F, 0x80, 0xFF, (byte)'\r', (byte)'\n', (byte)' ', (byte)'\t',
        (byte)':', (byte)';', (byte)',', (byte)'<', (byte)'>', (byte)'"', (byte)'\\', (byte)'%', (byte)'=', (byte)'@', (byte)'['];

    private static readonly string[] InterestingNumbers = ["0", "-1", "65535", "65536", "2147483647", "2147483648", "4294967296",
        "99999999999999999999999", "00000000000000000000001", "1e9", "0x10", ""];

    /// <summary>No input grows past a UDP datagram's size: larger ones only test the allocator, and cost the run its speed.</summary>
    public const int MaxInputBytes = 65_535;

    private readonly Random random = new(seed);

    public Random Random => random;

    /// <summary>Binary damage: flips, interesting bytes, boundary integers, truncation, extension, repeated chunks.</summary>
    public byte[] MutateBytes(byte[] input)
    {
        var data = new List<byte>(input);
        for (var round = 1 + random.Next(4); round > 0; round--)
        {
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    var at = random.Next(data.Count);
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[random.Next(data.Count)] = InterestingBytes[random.Next(InterestingBytes.Length)];
                    break;
                case 2 when data.Count >= 4:
                    var word = random.Next(4) switch { 0 => 0u, 1 => uint.MaxValue, 2 => 0x80000000u, _ => (uint)random.Next() };
                    var offset = random.Next(data.Count - 3);
                    for (var i = 0; i < 4; i++)
                    {
                        data[offset + i] = (byte)(word >> (8 * (3 - i)));
                    }

                    break;
                case 3 when data.Count > 0: // truncated, or a piece cut out
                    var from = random.Next(data.Count);
                    data.RemoveRange(from, random.Next(2) == 0 ? data.Count - from : Math.Min(data.Count - from, 1 + random.Next(16)));
                    break;
                case 4:
                    var extra = new byte[random.Next(1, 64)];
                    random.NextBytes(extra);
                    data.InsertRange(random.Next(data.Count + 1), extra);
                    break;
                case 5 when data.Count > 1:
                    var start = random.Next(data.Count);
                    var length = Math.Min(data.Count - start, 1 + random.Next(64));
                    var chunk = data.GetRange(start, length);
                    for (var copies = random.Next(1, 8); copies > 0; copies--)
                    {
                        data.InsertRange(random.Next(data.Count + 1), chunk);
                    }

                    break;
                default:
                    if (data.Count > 0)
                    {
                        data.RemoveAt(random.Next(data.Count));
                    }

                    break;
            }
        }

        return [.. data.Take(MaxInputBytes)];
    }

    /// <summary>Line-level damage for SIP, then sometimes byte damage on top.</summary>
    public byte[] MutateSip(byte[] input, IReadOnlyList<byte[]> others)
    {
        var text = Encoding.UTF8.GetString(input);
        var end = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = end >= 0 ? text[..end] : text;
        var body = end >= 0 ? text[(end + 4)..] : "";
        var lines = head.Split("\r\n").ToList();
        for (var round = 1 + random.Next(3); round > 0; round--)
        {
            var line = random.Next(lines.Count);
            var grown = lines.Sum(l => l.Length + 2) > MaxInputBytes / 2; // growth past this only repeats itself
            switch (grown ? 1 + random.Next(4) : random.Next(9))
            {
                case 0: // a header repeated, up to past every list and Via limit
                    var copies = random.Next(4) == 0 ? random.Next(20, 200) : random.Next(1, 5);
                    lines.InsertRange(line, Enumerable.Repeat(lines[line], copies));
                    break;
                case 1 when lines.Count > 1:
                    lines.RemoveAt(1 + random.Next(lines.Count - 1));
                    break;
                case 2 when lines.Count > 2:
                    var a = 1 + random.Next(lines.Count - 1);
                    var b = 1 + random.Next(lines.Count - 1);
                    (lines[a], lines[b]) = (lines[b], lines[a]);
                    break;
                case 3:
                    lines[line] = ReplaceNumber(lines[line]);
                    break;
                case 4: // folding, or whitespace where the grammar has none
                    var position = random.Next(lines[line].Length + 1);
                    lines[line] = lines[line].Insert(position, random.Next(2) == 0 ? "\r\n " : " \t ");
                    break;
                case 5: // a value grown past the line limit
                    lines[line] += new string((char)random.Next('a', 'z' + 1), random.Next(100, 6000));
                    break;
                case 6 when others.Count > 0: // a line from another message
                    var other = Encoding.UTF8.GetString(others[random.Next(others.Count)]).Split("\r\n");
                    lines.Insert(random.Next(1, lines.Count + 1), other[random.Next(other.Length)]);
                    break;
                case 7: // a list of values in one field
                    var colon = lines[line].IndexOf(':');
                    if (colon > 0)
                    {
                        var value = lines[line][(colon + 1)..];
                        lines[line] += string.Concat(Enumerable.Repeat("," + value, random.Next(1, 120)));
                    }
                    break;
                default:
                    body = random.Next(2) == 0 ? "" : body + new string('x', random.Next(0, 3000));
                    break;
            }
        }

        var mutated = Encoding.UTF8.GetBytes(string.Join("\r\n", lines) + (random.Next(10) == 0 ? "\r\n" : "\r\n\r\n") + body);
        if (mutated.Length > MaxInputBytes)
        {
            mutated = mutated[..MaxInputBytes];
        }

        return random.Next(3) == 0 ? MutateBytes(mutated) : mutated;
    }

    private string ReplaceNumber(string line)
    {
        var digits = Enumerable.Range(0, line.Length).Where(i => char.IsAsciiDigit(line[i]) && (i == 0 || !char.IsAsciiDigit(line[i - 1]))).ToList();
        if (digits.Count == 0)
        {
            return line;
        }

        var start = digits[random.Next(digits.Count)];
        var stop = start;
        while (stop < line.Length && char.IsAsciiDigit(line[stop]))
        {
            stop++;
        }

        return line[..start] + InterestingNumbers[random.Next(InterestingNumbers.Length)] + line[stop..];
    }
}
