using System.Text;
using Talko.Core.Sip.Messages;

namespace Talko.Tests.Core.Sip.Messages;

/// <summary>Mutated and truncated messages never make the parser throw; it returns a message or a typed error.</summary>
public sealed class SipParserRobustnessTests
{
    [Fact]
    public void Mutations_of_every_fixture_never_throw()
    {
        var random = new Random(3261);
        var fixtures = TortureMessages.Valid().Concat(TortureMessages.Dropped()).Select(f => Encoding.UTF8.GetBytes((string)f[1]))
            .Concat(TortureMessages.Answered().Select(f => Encoding.UTF8.GetBytes((string)f[2]))).ToList();
        var options = new SipParserOptions();
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 20_000; i++)
        {
            var source = fixtures[random.Next(fixtures.Count)];
            var data = source.AsSpan(0, random.Next(source.Length + 1)).ToArray();
            for (var flips = random.Next(4); flips > 0 && data.Length > 0; flips--)
            {
                data[random.Next(data.Length)] = (byte)"\r\n :;,<>\"\\@=%/\0x9"[random.Next(17)];
            }

            var result = SipMessageParser.Parse(data, options, isDatagram: random.Next(2) == 0);
            Assert.True(result.Success ^ result.Error is not null);
            if (result.Success)
            {
                SipMessageWriter.ToBytes(result.Message!); // whatever parsed can be written back
            }

            var key = result.Error?.Kind.ToString() ?? "ok";
            outcomes[key] = outcomes.GetValueOrDefault(key) + 1;
        }
        Assert.True(outcomes.Count > 3, string.Join(", ", outcomes));
    }
}
