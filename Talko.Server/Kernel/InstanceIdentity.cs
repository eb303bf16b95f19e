using System.Security.Cryptography;

namespace Talko.Server.Kernel;

/// <summary>
/// This process's instance id: configured (Talko:Instance:Id) or made from the host name and a random
/// suffix, so two processes on one machine never share one.
/// </summary>
public sealed record InstanceIdentity(string Id)
{
    public static InstanceIdentity Resolve(IConfiguration configuration) =>
        new(configuration["Talko:Instance:Id"] is { Length: > 0 } configured
            ? configured
            : $"{Environment.MachineName.ToLowerInvariant()}-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3))}");
}
