using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Architecture;

/// <summary>
/// The layering of Talko.Server (ADR 0005) beyond "no cycle": the kernel depends on nothing else in the server, and only
/// the composition root (Hosting and its children) depends on the composition root.
/// </summary>
public sealed class NamespaceLayeringTests
{
    private const string Root = "Talko.Server";
    private const string Kernel = "Talko.Server.Kernel";
    private const string Hosting = "Talko.Server.Hosting";

    private static readonly IReadOnlySet<(string From, string To)> Edges = NamespaceGraph.Read(Path.Combine(SolutionPaths.Root, Root), Root);

    [Fact]
    public void The_kernel_depends_on_no_other_namespace_of_Talko_Server()
    {
        var outward = Edges.Where(e => e.From == Kernel).Select(NamespaceGraph.Format).Order(StringComparer.Ordinal).ToList();
        Assert.True(outward.Count == 0, "The kernel must stay below every feature:\n" + string.Join("\n", outward));
    }

    [Fact]
    public void Only_the_composition_root_depends_on_Hosting()
    {
        var inward = Edges.Where(e => IsHosting(e.To) && !IsHosting(e.From)).Select(NamespaceGraph.Format).Order(StringComparer.Ordinal).ToList();
        Assert.True(inward.Count == 0,
            "Hosting is the composition root: move what a feature needs into Kernel, or give the feature a port that Hosting binds:\n"
            + string.Join("\n", inward));
    }

    private static bool IsHosting(string name) => name == Hosting || name.StartsWith(Hosting + ".", StringComparison.Ordinal);
}
