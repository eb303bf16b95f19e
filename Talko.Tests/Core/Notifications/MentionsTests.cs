using Talko.Core.Notifications;

namespace Talko.Tests.Core.Notifications;

public sealed class MentionsTests
{
    private static readonly Guid Ana = Guid.NewGuid();
    private static readonly Guid AnaLopez = Guid.NewGuid();
    private static readonly Guid Bo = Guid.NewGuid();
    private static readonly Mentionable[] Members = [new(Ana, "Ana"), new(AnaLopez, "Ana Lopez"), new(Bo, "Bo")];

    [Theory]
    [InlineData("@bo shall we ship?", "Bo")]
    [InlineData("thanks @Ana Lopez!", "Ana Lopez")]
    [InlineData("thanks @analopez", "Ana Lopez")]
    [InlineData("(@Ana) and @BO.", "Ana,Bo")]
    [InlineData("@Anastasia is not a member", "")]
    [InlineData("mail bo@example.com", "")]
    [InlineData("no mention at all", "")]
    [InlineData("@", "")]
    public void Finds_members_named_after_an_at_sign(string text, string expected)
    {
        var names = new Dictionary<Guid, string> { [Ana] = "Ana", [AnaLopez] = "Ana Lopez", [Bo] = "Bo" };
        var found = Mentions.Find(text, Members, max: 10).Select(id => names[id]).Order(StringComparer.Ordinal);
        Assert.Equal(expected.Split(',', StringSplitOptions.RemoveEmptyEntries), found);
    }

    [Fact]
    public void Stops_at_the_limit_and_ignores_members_without_a_name()
    {
        Assert.Single(Mentions.Find("@Ana @Bo", Members, max: 1));
        Assert.Empty(Mentions.Find("@ hello", [new(Guid.NewGuid(), " ")], max: 5));
        Assert.Empty(Mentions.Find(null, Members, max: 5));
    }
}
