using Talko.Core.Sip.Registrar;

namespace Talko.Tests.Core.Sip.Registrar;

/// <summary>Settings that would switch the brute-force brake off or make it refuse everyone are refused at start.</summary>
public sealed class SipDigestOptionsTests
{
    [Fact]
    public void The_defaults_are_valid() => new SipDigestOptions().Validate();

    [Theory]
    [InlineData(nameof(SipDigestOptions.MaxFailuresPerSourceAndUser), 0)]
    [InlineData(nameof(SipDigestOptions.MaxFailuresPerUser), 0)]
    [InlineData(nameof(SipDigestOptions.MaxFailuresPerSource), -1)]
    [InlineData(nameof(SipDigestOptions.MaxTrackedNonces), 0)]
    [InlineData(nameof(SipDigestOptions.MaxTrackedEntries), 0)]
    public void A_ceiling_below_one_is_refused_and_named(string setting, int value)
    {
        var options = new SipDigestOptions();
        typeof(SipDigestOptions).GetProperty(setting)!.SetValue(options, value);
        var error = Assert.Throws<ArgumentException>(options.Validate);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_known_user_memory_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(new SipDigestOptions { KnownUserMemory = TimeSpan.FromMinutes(-1) }.Validate);
        Assert.Contains("KnownUserMemory", error.Message, StringComparison.Ordinal);
    }
}
