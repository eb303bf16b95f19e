using Talko.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Talko.Tests.Server.Architecture;

/// <summary>
/// A ratchet on namespace cycles in Talko.Server (issue 15): the dependency edges that lie inside a cycle today are the
/// baseline (namespace-cycles.baseline.txt beside this file). A new edge inside a cycle fails the test; an edge that
/// left the cycles is reported so the baseline can shrink (TALKO_UPDATE_BASELINE=1 rewrites it). Since ADR 0005 the
/// baseline is empty: any edge that closes a cycle fails.
/// </summary>
public sealed class NamespaceCycleTests(ITestOutputHelper output)
{
    private static readonly string BaselinePath = Path.Combine(SolutionPaths.Root, "Talko.Tests", "Server", "Architecture", "namespace-cycles.baseline.txt");

    [Fact]
    public void No_new_dependency_edge_joins_a_namespace_cycle_in_Talko_Server()
    {
        var edges = NamespaceGraph.Read(Path.Combine(SolutionPaths.Root, "Talko.Server"), "Talko.Server");
        var inCycles = NamespaceGraph.InCycles(edges).Select(NamespaceGraph.Format).Order(StringComparer.Ordinal).ToList();
        if (Environment.GetEnvironmentVariable("TALKO_UPDATE_BASELINE") == "1")
        {
            File.WriteAllLines(BaselinePath, ["# Edges inside namespace cycles of Talko.Server; may only shrink (NamespaceCycleTests).", .. inCycles]);
        }

        var baseline = File.ReadAllLines(BaselinePath).Where(l => l.Length > 0 && !l.StartsWith('#')).ToHashSet(StringComparer.Ordinal);
        var gone = baseline.Except(inCycles).Order(StringComparer.Ordinal).ToList();
        foreach (var edge in gone)
        {
            output.WriteLine($"no longer in a cycle (remove it from the baseline): {edge}");
        }

        output.WriteLine($"{inCycles.Count} edges inside cycles, {baseline.Count} in the baseline, {gone.Count} gone");
        var added = inCycles.Except(baseline).ToList();
        Assert.True(added.Count == 0,
            "New dependency edges inside a namespace cycle of Talko.Server (depend the other way, or move the shared type to a namespace of its own):\n"
            + string.Join("\n", added));
    }

    [Fact]
    public void The_cycle_finder_sees_a_cycle_and_only_its_edges()
    {
        var edges = new HashSet<(string, string)> { ("A", "B"), ("B", "C"), ("C", "A"), ("C", "D"), ("D", "E") };
        Assert.Equal([("A", "B"), ("B", "C"), ("C", "A")], NamespaceGraph.InCycles(edges).Order().ToList());
    }
}
