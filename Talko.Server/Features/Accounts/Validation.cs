using Talko.Core.Accounts;
using Talko.Core.Text;
using Talko.Server.Features.Accounts.Entities;
using Talko.Server.Input;

namespace Talko.Server.Features.Accounts;

/// <summary>Collects field errors for a 400 ValidationProblem.</summary>
internal sealed class Validation
{
    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    public bool IsValid => Errors.Count == 0;

    public void Add(string field, string message) =>
        Errors[field] = Errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];

    public NormalizedIdentifier? Identifier(IdentifierNormalizer normalizer, string? raw, string? region, string field = "identifier")
    {
        if (normalizer.TryNormalize(raw, region, out var identifier, out var error))
        {
            return identifier;
        }

        Add(field, error);
        return null;
    }

    public void Code(string? code)
    {
        if (!VerificationCodes.IsWellFormed(code))
        {
            Add("code", $"The code is {VerificationCodes.Length} digits.");
        }
    }

    /// <summary>Checks a human-entered text by <see cref="HumanText"/>; returns what to store (null when refused or absent).</summary>
    public string? Text(string field, string? raw, TextRule rule)
    {
        var check = HumanText.Check(raw, rule);
        if (!check.IsValid)
        {
            Add(field, $"{field} {check.Error}");
        }

        return check.Value;
    }

    /// <summary>Checks the device being signed in; returns it with its name as stored (null when refused).</summary>
    public DeviceRegistration? Device(DeviceRegistration? device)
    {
        if (device is null)
        {
            Add("device", "The device being signed in is required (platform, name).");
            return null;
        }

        if (device.Platform is null || !Enum.IsDefined(device.Platform.Value))
        {
            Add("device.platform", "The platform is one of ios, android, web, sip.");
        }

        var name = Text("device.name", device.Name, TextRules.DeviceName(Entities.Device.NameMaxLength));

        if (device.PushToken is { Length: > Entities.Device.PushTokenMaxLength })
        {
            Add("device.pushToken", $"The push token is at most {Entities.Device.PushTokenMaxLength} characters.");
        }

        return device with { Name = name };
    }
}
