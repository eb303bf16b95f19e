using System.IO.Compression;

namespace Talko.Server.Features.Conversations;

/// <summary>
/// Another feature's share of a conversation export (the calls feature adds calls.json and the recordings).
/// Called after the export checked that the user may read the conversation; a part adds entries to the zip.
/// </summary>
public interface IConversationExportPart
{
    Task AddAsync(ZipArchive zip, Guid conversationId, CancellationToken cancellationToken);
}
