using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Xml.Linq;

namespace Talko.Tests.Server.Docs;

/// <summary>
/// Renders docs/configuration.md from the options classes themselves: every settable property, its
/// default (read from a fresh instance) and its XML doc summary. Generated, so it cannot drift.
/// </summary>
internal static class ConfigurationReference
{
    public static string Render(IEnumerable<(string Section, Type Options)> sections)
    {
        var docs = new XmlDocs();
        var text = new StringBuilder();
        text.AppendLine("# Configuration reference");
        text.AppendLine();
        text.AppendLine("Generated from the options classes by `Talko.Tests/Server/Docs/ConfigurationDocsTests.cs`; do not edit by hand.");
        text.AppendLine("Regenerate with `TALKO_UPDATE_DOCS=1 dotnet test --filter ConfigurationDocs`. Any setting can be given in");
        text.AppendLine("appsettings.json, as an environment variable (`:` becomes `__`), or on the command line. Durations are");
        text.AppendLine("written `hh:mm:ss` (or `d.hh:mm:ss`).");
        // Several options classes may bind one section; they share its table.
        foreach (var group in sections.GroupBy(s => s.Section))
        {
            text.AppendLine();
            text.AppendLine($"## {group.Key}");
            text.AppendLine();
            text.AppendLine("| Setting | Default | Meaning |");
            text.AppendLine("| --- | --- | --- |");
            foreach (var (section, type) in group)
            {
                foreach (var (key, value, summary) in Rows(section, type, Activator.CreateInstance(type)!, docs, depth: 0))
                {
                    text.AppendLine($"| `{key}` | {value} | {summary} |");
                }
            }
        }

        return text.ToString();
    }

    private static IEnumerable<(string Key, string Default, string Summary)> Rows(string prefix, Type type, object instance, XmlDocs docs, int depth)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var key = $"{prefix}:{property.Name}";
            var value = property.GetValue(instance);
            var summary = docs.Summary(property);
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsLeaf(propertyType) || value is IEnumerable and not string)
            {
                if (property.CanWrite || value is IList)
                {
                    yield return (key, Format(value), summary);
                }
            }
            else if (value is not null && depth < 4)
            {
                foreach (var row in Rows(key, propertyType, value, docs, depth + 1))
                {
                    yield return row;
                }
            }
        }
    }

    private static bool IsLeaf(Type type) =>
        type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(TimeSpan) || type == typeof(decimal) ||
        type == typeof(DateTimeOffset) || type == typeof(Uri) || type == typeof(System.Net.IPAddress);

    private static string Format(object? value) => value switch
    {
        null => "(unset)",
        string s when s.Length == 0 => "(empty)",
        string s => $"`{s.Replace("|", "\\|", StringComparison.Ordinal)}`",
        bool b => b ? "`true`" : "`false`",
        TimeSpan t => $"`{t.ToString("c", CultureInfo.InvariantCulture)}`",
        IEnumerable list and not string => $"`{string.Join(", ", list.Cast<object?>().Select(i => Convert.ToString(i, CultureInfo.InvariantCulture)))}`",
        IFormattable f => $"`{f.ToString(null, CultureInfo.InvariantCulture)}`",
        _ => $"`{value}`",
    };

    /// <summary>The XML documentation files the compiler writes beside each assembly.</summary>
    private sealed class XmlDocs
    {
        private readonly Dictionary<string, string> summaries = new(StringComparer.Ordinal);

        public XmlDocs()
        {
            foreach (var file in Directory.GetFiles(AppContext.BaseDirectory, "Talko.*.xml"))
            {
                foreach (var member in XDocument.Load(file).Descendants("member"))
                {
                    if (member.Attribute("name")?.Value is { } name && member.Element("summary") is { } summary)
                    {
                        var words = Text(summary).Split((char[])[' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
                        summaries[name] = string.Join(' ', words).Replace("|", "\\|", StringComparison.Ordinal);
                    }
                }
            }
        }

        /// <summary>Doc text with cross-references reduced to the names they point at.</summary>
        private static string Text(XElement element) => string.Concat(element.Nodes().Select(node => node switch
        {
            XText text => text.Value,
            XElement { Name.LocalName: "see" or "seealso" } see when see.Attribute("cref")?.Value is { } cref => cref[(cref.LastIndexOf('.') + 1)..],
            XElement { Name.LocalName: "see" } see when see.Attribute("langword")?.Value is { } word => word,
            XElement { Name.LocalName: "paramref" or "typeparamref" } reference => reference.Attribute("name")?.Value ?? string.Empty,
            XElement other => Text(other),
            _ => string.Empty,
        }));

        public string Summary(PropertyInfo property) =>
            summaries.TryGetValue($"P:{property.DeclaringType!.FullName!.Replace('+', '.')}.{property.Name}", out var summary) ? summary : string.Empty;
    }
}
