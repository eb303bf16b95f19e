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
        var output = string.Concat(instances.Select(i => i.Output));
        int Count(string text) => output.Split('\n').Count(line => line.Contains(text, StringComparison.Ordinal));
        Add($"instance logs: {Count("\"@l\":\"Warning\"")} warnings, {Count("\"@l\":\"Error\"")} errors, " +
            $"{Count("53300")} PostgreSQL slot refusals, {Count("answered 503: a dependency is unavailable")} dependency-503 lines");
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
