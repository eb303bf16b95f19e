using Talko.Core.Conversations;
using Talko.Core.Text;

namespace Talko.Server.Input;

/// <summary>
/// The <see cref="HumanText"/> rule of every field people type, in one list: the length people see comes
/// from the options (or a fixed limit), the code units from the column that stores it.
/// </summary>
public static class TextRules
{
    public const int DisplayNameColumn = 64;
    public const int DeviceNameColumn = 64;
    public const int GroupNameColumn = 200;
    public const int ConversationTitleColumn = 500;
    public const int ItemTextColumn = 16_000;
    public const int BookmarkNoteColumn = 4000;
    public const int TagColumn = 256;

    /// <summary>Fields kept outside a column (status text in the ephemeral store, search queries) still get a bound: this many code units per character.</summary>
    private const int CodeUnitsPerCharacter = 4;

    public static TextRule DisplayName(int maxLength) => TextRule.Name(maxLength, DisplayNameColumn);

    public static TextRule DeviceName(int maxLength) => TextRule.Name(maxLength, DeviceNameColumn);

    public static TextRule GroupName(ConversationsOptions options) => TextRule.Name(options.MaxGroupNameLength, GroupNameColumn);

    public static TextRule ConversationTitle(ConversationsOptions options) => TextRule.Name(options.MaxConversationTitleLength, ConversationTitleColumn);

    public static TextRule ItemText(ConversationsOptions options, bool required) => TextRule.Text(options.MaxTextLength, ItemTextColumn, required);

    public static TextRule BookmarkNote(ConversationsOptions options) => TextRule.Name(options.MaxBookmarkNoteLength, BookmarkNoteColumn, required: false);

    /// <summary>Checked as a name first, so a tag's refusal says which character is wrong; then by <see cref="Hashtags"/>.</summary>
    public static TextRule Tag { get; } = TextRule.Name(Hashtags.MaxLength + 1, TagColumn);

    public static TextRule SearchQuery(ConversationsOptions options) =>
        TextRule.Name(options.MaxSearchQueryLength, options.MaxSearchQueryLength * CodeUnitsPerCharacter, required: false);
}
