using Talko.Core.Text;

namespace Talko.Tests.Core.Text;

public sealed class HumanTextTests
{
    private static readonly TextRule Name = TextRule.Name(10, 40);
    private static readonly TextRule Message = TextRule.Text(10, 40);

    [Theory]
    [InlineData("a\u0000b")]
    [InlineData("a\u001Fb")]
    [InlineData("a\u007Fb")]
    [InlineData("a\u009Bb")]
    [InlineData("a\tb")]
    [InlineData("a\nb")]
    [InlineData("a\u202Ab")]
    [InlineData("a\u202Eb")]
    [InlineData("a\u2067b")]
    [InlineData("a\u2069b")]
    [InlineData("a\u2028b")]
    public void A_name_refuses_controls_overrides_separators_and_broken_surrogates(string raw) =>
        Assert.False(HumanText.Check(raw, Name).IsValid, $"accepted {Escape(raw)}");

    [Fact]
    public void Unpaired_surrogates_are_refused_and_pairs_are_kept()
    {
        // Built in code: theory data would be turned into U+FFFD on its way to the test.
        Assert.False(HumanText.Check("a" + '\uD800' + "b", Message).IsValid);
        Assert.False(HumanText.Check("a" + '\uDC00', Name).IsValid);
        Assert.Equal("\U0001F600", HumanText.Check("\U0001F600", Name).Value);
    }

    [Fact]
    public void A_message_keeps_newlines_tabs_and_bidirectional_controls_and_turns_crlf_into_lf()
    {
        Assert.Equal("a\nb\tc", HumanText.Check("a\r\nb\tc", Message).Value);
        Assert.Equal("\u202Bxyz\u202C", HumanText.Check("\u202Bxyz\u202C", Message).Value);
        Assert.False(HumanText.Check("a\rb", Message).IsValid);
        Assert.False(HumanText.Check("a\u0007", Message).IsValid);
        Assert.False(HumanText.Check("a\u0085", Message).IsValid);
    }

    [Fact]
    public void Text_is_nfc_and_counted_in_grapheme_clusters_within_a_code_unit_bound()
    {
        Assert.Equal("\u00E9t\u00E9", HumanText.Check("e\u0301te\u0301", Name).Value);
        Assert.True(HumanText.Check(string.Concat(Enumerable.Repeat("\U0001F468\u200D\U0001F469\u200D\U0001F467", 3)), Name).IsValid, "three families are three characters, 24 code units");
        Assert.False(HumanText.Check(string.Concat(Enumerable.Repeat("\U0001F468\u200D\U0001F469\u200D\U0001F467", 6)), Name).IsValid, "six families are six characters but 48 code units");
        Assert.False(HumanText.Check("abcdefghijk", Name).IsValid);
        Assert.False(HumanText.Check("a" + new string('\u0301', 60), Name).IsValid, "one character of 60 combining marks exceeds the code units");
    }

    [Fact]
    public void Blank_or_invisible_is_refused_when_required_and_none_when_optional()
    {
        Assert.False(HumanText.Check(null, Name).IsValid);
        Assert.False(HumanText.Check("   ", Name).IsValid);
        Assert.False(HumanText.Check("\u200B\u200D", Name).IsValid);
        Assert.Equal(new TextCheck(null, null), HumanText.Check("  ", TextRule.Name(10, 40, required: false)));
        Assert.Equal(new TextCheck(null, null), HumanText.Check(null, TextRule.Text(10, 40, required: false)));
        Assert.Equal("Team", HumanText.Check("  Team ", Name).Value);
    }

    private static string Escape(string raw) => string.Concat(raw.Select(c => c is >= ' ' and <= '~' ? c.ToString() : $"\\u{(int)c:X4}"));
}
