using Talko.Core.Accounts;
using Talko.Server.Features.Accounts.Entities;

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

    public void Device(DeviceRegistration? device)
    {
        if (device is null)
        {
            Add("device", "The device being signed in is required (platform, name).");
            return;
        }

        if (device.Platform is null || !Enum.IsDefined(device.Platform.Value))
        {
            Add("device.platform", "The platform is one of ios, android, web, sip.");
        }

        if (string.IsNullOrWhiteSpace(device.Name) || device.Name.Trim().Length > Entities.Device.NameMaxLength)
        {
            Add("device.name", $"The device name is 1 to {Entities.Device.NameMaxLength} characters.");
        }

        if (device.PushToken is { Length: > Entities.Device.PushTokenMaxLength })
        {
            Add("device.pushToken", $"The push token is at most {Entities.Device.PushTokenMaxLength} characters.");
        }
    }
}
