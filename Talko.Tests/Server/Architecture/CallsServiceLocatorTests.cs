using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Talko.Core.Calls;
using Talko.Server.Features.Calls;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Architecture;

/// <summary>
/// The calls feature names what it needs (issue 15, ADR 0623): no type in Features/Calls or Core/Calls holds a service
/// provider or a scope factory, and no source there opens a scope. Work of request lifetime goes through
/// <c>IScopedWork&lt;T&gt;</c>; the feature's composition (CallsExtensions) may forward registrations, nothing else.
/// Nor does it poll: it waits for events, news and its hosted service's timer.
/// </summary>
public sealed class CallsServiceLocatorTests
{
    private static readonly string[] Forbidden = ["IServiceProvider", "IServiceScopeFactory", "CreateScope", "CreateAsyncScope"];

    private static readonly Type[] LocatorTypes =
        [typeof(IServiceProvider), typeof(IServiceScopeFactory), typeof(IServiceScope), typeof(AsyncServiceScope)];

    [Theory]
    [InlineData("Talko.Server", "Features/Calls")]
    [InlineData("Talko.Core", "Calls")]
    public void No_source_of_the_calls_feature_mentions_a_service_provider_or_opens_a_scope(string project, string folder)
    {
        var found = Mentions(project, folder, Forbidden);
        Assert.True(found.Count == 0, "Name the service you need (IScopedWork<T> for request-lifetime work) instead:\n" + string.Join("\n", found));
    }

    [Theory]
    [InlineData("Talko.Server", "Features/Calls")]
    [InlineData("Talko.Core", "Calls")]
    public void No_source_of_the_calls_feature_sleeps_to_look_again(string project, string folder)
    {
        var found = Mentions(project, folder, ["Task.Delay", "Thread.Sleep"]);
        Assert.True(found.Count == 0, "Wait for what you need (an event, a command, a TaskCompletionSource) instead:\n" + string.Join("\n", found));
    }

    [Theory]
    [InlineData(typeof(CallService), "Talko.Server.Features.Calls")]
    [InlineData(typeof(LiveCall), "Talko.Core.Calls")]
    public void No_type_of_the_calls_feature_holds_a_service_provider_or_a_scope(Type anchor, string ns)
    {
        const BindingFlags all = BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var types = anchor.Assembly.GetTypes().Where(t => t.Namespace is { } n && (n == ns || n.StartsWith(ns + ".", StringComparison.Ordinal))).ToList();
        Assert.Contains(anchor, types);
        // Fields include the captured parameters of primary constructors and the locals of async methods (their state machines).
        var found = types.SelectMany(t =>
                t.GetConstructors(all).SelectMany(c => c.GetParameters()).Select(p => (Type: t, Held: p.ParameterType))
                    .Concat(t.GetFields(all).Select(f => (Type: t, Held: f.FieldType))))
            .Where(x => LocatorTypes.Contains(x.Held))
            .Select(x => $"{x.Type.FullName} holds {x.Held.Name}")
            .Distinct()
            .ToList();
        Assert.True(found.Count == 0, string.Join("\n", found));
    }

    [Fact]
    public void Talko_Core_references_neither_ASP_NET_nor_EF_Core()
    {
        var references = typeof(LiveCall).Assembly.GetReferencedAssemblies().Select(a => a.Name ?? "").ToList();
        Assert.DoesNotContain(references, name => name.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal)
            || name.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }

    /// <summary>"file: word" for each of <paramref name="words"/> a source under the folder mentions.</summary>
    private static List<string> Mentions(string project, string folder, string[] words)
    {
        var files = Directory.EnumerateFiles(Path.Combine(SolutionPaths.Root, project, folder), "*.cs", SearchOption.AllDirectories).ToList();
        Assert.NotEmpty(files);
        return [.. from file in files
                   let text = File.ReadAllText(file)
                   from word in words
                   where text.Contains(word, StringComparison.Ordinal)
                   select $"{Path.GetRelativePath(SolutionPaths.Root, file)}: {word}"];
    }
}
