using System.Buffers.Binary;
using System.Buffers.Text;

namespace Talko.Core.Conversations;

/// <summary>
/// Where a device is in every conversation it follows: the conversation change version it has seen
/// up to. Per-conversation versions are assigned under the conversation's row lock, so "everything
/// with a version above mine" can never skip a change committed late (a global counter could).
/// Opaque to clients: a version byte, then 24 bytes per conversation, in base64url.
/// </summary>
public sealed class SyncToken
{
    private const byte FormatVersion = 1;
    private const int EntryLength = 24;

    public SyncToken(IReadOnlyDictionary<Guid, long> versions) => Versions = versions;

    public static SyncToken Empty { get; } = new(new Dictionary<Guid, long>());

    public IReadOnlyDictionary<Guid, long> Versions { get; }

    public long VersionOf(Guid conversationId) => Versions.TryGetValue(conversationId, out var version) ? version : 0;

    public string Encode()
    {
        var bytes = new byte[1 + (Versions.Count * EntryLength)];
        bytes[0] = FormatVersion;
        var offset = 1;
        foreach (var (conversationId, version) in Versions.OrderBy(v => v.Key))
        {
            conversationId.TryWriteBytes(bytes.AsSpan(offset, 16));
            BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(offset + 16), version);
            offset += EntryLength;
        }

        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a token a client sent back; false if it is not one of ours or names more than <paramref name="maxConversations"/>.</summary>
    public static bool TryDecode(string? text, int maxConversations, out SyncToken token)
    {
        token = Empty;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (text.Length > Base64Url.GetEncodedLength(1 + (maxConversations * EntryLength)))
        {
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        if (bytes.Length == 0 || bytes[0] != FormatVersion || (bytes.Length - 1) % EntryLength != 0)
        {
            return false;
        }

        var versions = new Dictionary<Guid, long>();
        for (var offset = 1; offset < bytes.Length; offset += EntryLength)
        {
            var version = BinaryPrimitives.ReadInt64BigEndian(bytes.AsSpan(offset + 16));
            if (version < 0 || !versions.TryAdd(new Guid(bytes.AsSpan(offset, 16)), version))
            {
                return false;
            }
        }

        token = new SyncToken(versions);
        return true;
    }
}
