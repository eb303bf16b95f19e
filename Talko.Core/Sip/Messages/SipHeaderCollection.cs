namespace Talko.Core.Sip.Messages;

/// <summary>One header field as received or to be sent; the name is canonical.</summary>
public readonly record struct SipHeaderField(string Name, string Value);

/// <summary>
/// The header fields a message carries besides the ones the stack models as properties (Via, From, To...).
/// Order is kept, as RFC 3261 section 7.3.1 requires for fields with the same name.
/// </summary>
public sealed class SipHeaderCollection : IEnumerable<SipHeaderField>
{
    private readonly List<SipHeaderField> fields = [];

    public int Count => fields.Count;

    public void Add(string name, string value) => fields.Add(new(SipHeaderNames.Canonicalize(name), value));

    public void Set(string name, string value)
    {
        Remove(name);
        Add(name, value);
    }

    public void Remove(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        fields.RemoveAll(f => string.Equals(f.Name, canonical, StringComparison.OrdinalIgnoreCase));
    }

    public string? Get(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        foreach (var f in fields)
        {
            if (string.Equals(f.Name, canonical, StringComparison.OrdinalIgnoreCase))
            {
                return f.Value;
            }
        }

        return null;
    }

    public IEnumerable<string> GetAll(string name)
    {
        var canonical = SipHeaderNames.Canonicalize(name);
        foreach (var f in fields)
        {
            if (string.Equals(f.Name, canonical, StringComparison.OrdinalIgnoreCase))
            {
                yield return f.Value;
            }
        }
    }

    /// <summary>All comma-separated values across every field of this name (RFC 3261 section 7.3.1).</summary>
    public List<string> GetList(string name)
    {
        var values = new List<string>();
        foreach (var v in GetAll(name))
        {
            SipGrammar.TrySplitList(v, values, int.MaxValue);
        }

        values.RemoveAll(string.IsNullOrEmpty);
        return values;
    }

    internal void AddRaw(SipHeaderField field) => fields.Add(field);

    public IEnumerator<SipHeaderField> GetEnumerator() => fields.GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}
