using Talko.Core.Conversations;

namespace Talko.Tests.Core.Conversations;

public sealed class ConversationRulesTests
{
    [Theory]
    [InlineData("Meet at #Dock-3 for #launch, not #launch again", new[] { "dock-3", "launch" })]
    [InlineData("a#b and &#39; are not tags, #_ is not either", new string[0])]
    [InlineData("#Café #日本", new[] { "café", "日本" })]
    [InlineData("", new string[0])]
    public void Hashtags_are_parsed_distinct_and_normalised(string text, string[] expected) =>
        Assert.Equal(expected, Hashtags.Parse(text));

    [Fact]
    public void Hashtags_stop_at_the_limit() => Assert.Equal(3, Hashtags.Parse("#a #b #c #d #e", maxTags: 3).Count);

    [Fact]
    public void A_sync_token_round_trips_and_rejects_what_it_did_not_issue()
    {
        var versions = new Dictionary<Guid, long> { [Guid.NewGuid()] = 7, [Guid.NewGuid()] = 1_000_000_000_000 };
        Assert.True(SyncToken.TryDecode(new SyncToken(versions).Encode(), 10, out var decoded));
        Assert.Equal(versions.OrderBy(v => v.Key), decoded.Versions.OrderBy(v => v.Key));

        Assert.True(SyncToken.TryDecode(null, 10, out var empty));
        Assert.Empty(empty.Versions);
        Assert.False(SyncToken.TryDecode("not-a-token!", 10, out _));
        Assert.False(SyncToken.TryDecode("AQID", 10, out _));
        Assert.False(SyncToken.TryDecode(new SyncToken(versions).Encode(), 1, out _));
    }

    [Fact]
    public void Owners_do_everything_admins_manage_members_and_members_take_part()
    {
        Assert.True(GroupPermissions.CanGrant(GroupRole.Owner, GroupRole.Owner));
        Assert.False(GroupPermissions.CanGrant(GroupRole.Admin, GroupRole.Admin));
        Assert.True(GroupPermissions.CanGrant(GroupRole.Admin, GroupRole.Member));
        Assert.False(GroupPermissions.CanAddMembers(GroupRole.Member));
        Assert.True(GroupPermissions.CanRemove(GroupRole.Admin, GroupRole.Member));
        Assert.False(GroupPermissions.CanRemove(GroupRole.Admin, GroupRole.Owner));
        Assert.True(GroupPermissions.WouldOrphanGroup(GroupRole.Owner, ownerCount: 1));
        Assert.False(GroupPermissions.WouldOrphanGroup(GroupRole.Owner, ownerCount: 2));
        Assert.True(GroupPermissions.WouldOrphanGroup(GroupRole.Owner, ownerCount: 1, newRole: GroupRole.Admin));
        Assert.True(GroupPermissions.CanManageConversation(GroupRole.Member, isCreator: true));
        Assert.False(GroupPermissions.CanManageConversation(GroupRole.Member, isCreator: false));
        var author = Guid.NewGuid();
        Assert.True(GroupPermissions.CanChangeItem(author, author, ItemKind.Text));
        Assert.False(GroupPermissions.CanChangeItem(Guid.NewGuid(), author, ItemKind.Text));
        Assert.False(GroupPermissions.CanChangeItem(author, author, ItemKind.System));
    }
}
