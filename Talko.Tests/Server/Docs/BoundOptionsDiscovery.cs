using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Talko.Server.Hosting;

namespace Talko.Tests.Server.Docs;

/// <summary>
/// Finds every options class the application binds from configuration, and the section it binds from, by asking the
/// application itself: it registers its services as Program does, then creates each Talko options type registered
/// for configuration while a recording configuration source notes which section the binder reads. Nothing is listed
/// by hand, so a new options class or section cannot be left out of docs/configuration.md.
/// </summary>
internal static class BoundOptionsDiscovery
{
    public static IReadOnlyList<(string Section, Type Options)> Discover()
    {
        var recorder = new RecordingSource();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        ((IConfigurationBuilder)builder.Configuration).Add(recorder);
        builder.AddTalkoServices();

        var optionsTypes = builder.Services
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IConfigureOptions<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Where(t => t.Namespace?.StartsWith("Talko.", StringComparison.Ordinal) == true)
            .Distinct()
            .ToList();

        using var services = builder.Services.BuildServiceProvider();
        var found = new List<(string Section, Type Options)>();
        foreach (var type in optionsTypes)
        {
            // Building the factory builds its configure services, which may read configuration of their own.
            var factory = services.GetRequiredService(typeof(IOptionsFactory<>).MakeGenericType(type));
            recorder.Provider.Sections.Clear();
            try
            {
                factory.GetType().GetMethod(nameof(IOptionsFactory<object>.Create))!.Invoke(factory, [Options.DefaultName]);
            }
            catch (System.Reflection.TargetInvocationException exception) when (exception.InnerException is OptionsValidationException)
            {
                // Validation runs after binding; the section was read already. Defaults need not pass every rule.
            }

            // Binding runs first (configure before post-configure) and lists the children of the bound section before
            // any nested one; later reads (a post-configure looking up a default elsewhere) come after it.
            if (recorder.Provider.Sections.Count > 0)
            {
                found.Add((recorder.Provider.Sections[0], type));
            }
        }

        return [.. found.OrderBy(f => f.Section, StringComparer.Ordinal).ThenBy(f => f.Options.Name, StringComparer.Ordinal)];
    }

    private sealed class RecordingSource : IConfigurationSource
    {
        public RecordingProvider Provider { get; } = new();

        public IConfigurationProvider Build(IConfigurationBuilder builder) => Provider;
    }

    /// <summary>Holds no values; notes every section whose children are asked for.</summary>
    private sealed class RecordingProvider : ConfigurationProvider
    {
        public List<string> Sections { get; } = [];

        public override IEnumerable<string> GetChildKeys(IEnumerable<string> earlierKeys, string? parentPath)
        {
            if (!string.IsNullOrEmpty(parentPath))
            {
                Sections.Add(parentPath);
            }

            return base.GetChildKeys(earlierKeys, parentPath);
        }
    }
}
