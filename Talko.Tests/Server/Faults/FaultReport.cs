using System.Globalization;
using System.Text;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Faults;

/// <summary>
/// The figures of one fault-injection run, as docs/benchmarks.md tabulates them: requests by kind and answer, items
/// acknowledged, found in the database afterwards, missing and duplicated, times to recover, and how much the
/// instances logged. Printed to the test output, and appended to the file named by TALKO_FAULTS_REPORT
/// (scripts/faults.sh) when set.
/// </summary>
internal sealed class FaultReport(string fault)
{
    private readonly List<string> lines = [];

    public string Fault { get; } = fault;

    public void Requests(IEnumerable<Answer> answers)
    {
        foreach (var kind in answers.GroupBy(a => a.What).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var byAnswer = kind.GroupBy(a => a.Describe).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} x {g.Count()}");
            Add($"requests {kind.Key}: {string.Join(", ", byAnswer)}");
        }
    }

    public void Items(int acknowledged, int found, int missing, int duplicated, int seqGaps) =>
        Add($"items: acknowledged {acknowledged}, found {found}, missing {missing}, duplicated {duplicated}, seq gaps {seqGaps}");

    public void Seconds(string what, TimeSpan? value) =>
        Add($"{what}: {(value is { } v ? v.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s" : "never")}");

    /// <summary>What the instances wrote while the fault lasted: a flood of lines is a finding of its own.</summary>
    public void Logs(params TalkoProcess[] instances)
    {
        var events = instances.SelectMany(i => i.Output.Split('\n')).Select(Parse).OfType<(string Level, string Template, string Message)>()
            .Where(e => e.Level is "Warning" or "Error" or "Fatal").ToList();
        Add($"instance logs: {events.Count(e => e.Level == "Warning")} warnings, {events.Count(e => e.Level != "Warning")} errors, " +
            $"{events.Count(e => e.Message.Contains("53300", StringComparison.Ordinal))} PostgreSQL slot refusals");
        // Every kind of error, then the most frequent warnings.
        foreach (var kind in events.GroupBy(e => e.Template).OrderBy(g => g.First().Level == "Warning").ThenByDescending(g => g.Count()).Take(8))
        {
            var first = kind.First();
            Add($"  {kind.Count()} x {first.Level}: {(first.Message.Length > 160 ? first.Message[..160] + "..." : first.Message)}");
        }
    }

    private static (string Level, string Template, string Message)? Parse(string line)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(line);
            var root = json.RootElement;
            var level = root.TryGetProperty("@l", out var l) ? l.GetString()! : "Information";
            var message = root.TryGetProperty("@m", out var m) ? m.GetString()! : "";
            return (level, root.TryGetProperty("@i", out var i) ? i.GetString()! : message, message);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    public void Add(string line) => lines.Add(line);

    public void WriteTo(Xunit.Abstractions.ITestOutputHelper output)
    {
        var text = new StringBuilder($"## {Fault}\n");
        foreach (var line in lines)
        {
            text.Append("- ").Append(line).Append('\n');
        }

        output.WriteLine(text.ToString());
        if (Environment.GetEnvironmentVariable("TALKO_FAULTS_REPORT") is { Length: > 0 } file)
        {
            File.AppendAllText(file, text.Append('\n').ToString());
        }
    }
}
