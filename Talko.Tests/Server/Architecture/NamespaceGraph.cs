using System.Text.RegularExpressions;

namespace Talko.Tests.Server.Architecture;

/// <summary>
/// The namespace-to-namespace dependencies of a project, read from its sources: each file's <c>namespace</c>, its
/// <c>using</c> directives (plain, static and aliased) and any fully qualified name in its code, mapped to the longest
/// namespace the project declares. Reading sources instead of compiled signatures also sees what method bodies use
/// (a static helper called inside a handler is a dependency too); a namespace that is only a parent of the file's own
/// (visible without a using) is not seen, which matters little: parents here hold no types of their own.
/// </summary>
internal static partial class NamespaceGraph
{
    /// <summary>Edges "From -> To" between namespaces that start with <paramref name="root"/>, found under <paramref name="directory"/>.</summary>
    public static IReadOnlySet<(string From, string To)> Read(string directory, string root)
    {
        var files = Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: f, Text: File.ReadAllText(f)))
            .ToList();
        var declared = files.Select(f => NamespaceOf(f.Text)).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var edges = new HashSet<(string, string)>();
        foreach (var (_, text) in files)
        {
            if (NamespaceOf(text) is not { } from || !from.StartsWith(root, StringComparison.Ordinal))
            {
                continue;
            }

            foreach (Match name in QualifiedName().Matches(text))
            {
                if (LongestDeclared(name.Value, declared) is { } to && to != from && to.StartsWith(root, StringComparison.Ordinal))
                {
                    edges.Add((from, to));
                }
            }
        }

        return edges;
    }

    /// <summary>The edges that lie inside a cycle: both ends in the same strongly connected component.</summary>
    public static IReadOnlySet<(string From, string To)> InCycles(IReadOnlySet<(string From, string To)> edges)
    {
        var component = StronglyConnected(edges);
        return edges.Where(e => component[e.From] == component[e.To]).ToHashSet();
    }

    public static string Format((string From, string To) edge) => $"{edge.From} -> {edge.To}";

    private static string? NamespaceOf(string text) => FileNamespace().Match(text) is { Success: true } match ? match.Groups[1].Value : null;

    private static string? LongestDeclared(string name, HashSet<string> declared)
    {
        var candidate = name;
        while (true)
        {
            if (declared.Contains(candidate))
            {
                return candidate;
            }

            var dot = candidate.LastIndexOf('.');
            if (dot < 0)
            {
                return null;
            }

            candidate = candidate[..dot];
        }
    }

    /// <summary>Tarjan's algorithm, iterative enough for a few dozen namespaces: each node's component index.</summary>
    private static Dictionary<string, int> StronglyConnected(IReadOnlySet<(string From, string To)> edges)
    {
        var next = edges.GroupBy(e => e.From).ToDictionary(g => g.Key, g => g.Select(e => e.To).ToList(), StringComparer.Ordinal);
        var nodes = edges.SelectMany(e => new[] { e.From, e.To }).Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var component = new Dictionary<string, int>(StringComparer.Ordinal);
        var counter = 0;
        var components = 0;

        void Visit(string node)
        {
            index[node] = low[node] = counter++;
            stack.Push(node);
            onStack.Add(node);
            foreach (var to in next.GetValueOrDefault(node) ?? [])
            {
                if (!index.ContainsKey(to))
                {
                    Visit(to);
                    low[node] = Math.Min(low[node], low[to]);
                }
                else if (onStack.Contains(to))
                {
                    low[node] = Math.Min(low[node], index[to]);
                }
            }

            if (low[node] == index[node])
            {
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component[member] = components;
                }
                while (member != node);
                components++;
            }
        }

        foreach (var node in nodes.Where(n => !index.ContainsKey(n)))
        {
            Visit(node);
        }

        return component;
    }

    [GeneratedRegex(@"^\s*namespace\s+([A-Za-z_][\w.]*)\s*[;{]", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    /// <summary>Talko.* dotted names anywhere (usings, aliases, fully qualified code); comments may add a few, which errs towards more edges.</summary>
    [GeneratedRegex(@"\bTalko(\.[A-Za-z_]\w*)+")]
    private static partial Regex QualifiedName();
}
