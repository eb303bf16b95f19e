using Microsoft.Extensions.Options;
using Talko.Core.Accounts;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Accounts.Auth;

/// <summary>
/// The accounts feature's secrets: from configuration when set (required when several instances
/// share a database, as they must agree), else generated once and kept under the data directory.
/// </summary>
public sealed partial class ServerKeys
{
    public ServerKeys(IOptions<AuthOptions> auth, IOptions<AccountsOptions> accounts, DataDirectory data, TalkoMode mode, ILogger<ServerKeys> logger)
    {
        SigningKey = Resolve(auth.Value.SigningKey, $"{AuthOptions.Section}:SigningKey", "jwt-signing.key", data, mode, logger);
        IdentifierHashKey = Resolve(accounts.Value.IdentifierHashKey, $"{AccountsOptions.Section}:IdentifierHashKey", "identifier-hash.key", data, mode, logger);
        Identifiers = new IdentifierHasher(IdentifierHashKey);
        Codes = new VerificationCodes(Identifiers.DeriveKey("talko verification codes"));
    }

    public byte[] SigningKey { get; }

    public byte[] IdentifierHashKey { get; }

    public IdentifierHasher Identifiers { get; }

    public VerificationCodes Codes { get; }

    private static byte[] Resolve(string? configured, string setting, string fileName, DataDirectory data, TalkoMode mode, ILogger logger)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            byte[] key;
            try
            {
                key = Convert.FromBase64String(configured);
            }
            catch (FormatException)
            {
                throw new InvalidOperationException($"{setting} must be base64.");
            }

            return key.Length >= 32 ? key : throw new InvalidOperationException($"{setting} must be at least 32 bytes (44 base64 characters).");
        }

        if (mode.UsesPostgres)
        {
            LogGeneratedKeyInScaleOut(logger, setting);
        }

        var path = data.Combine("keys", fileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        if (!File.Exists(path))
        {
            // Written aside then moved into place without overwrite: of two processes starting together on
            // one data directory, one key wins and both read it; nobody reads a half-written file.
            var temporary = $"{path}.{Guid.NewGuid():N}.tmp";
            File.WriteAllText(temporary, Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }

        return Convert.FromBase64String(File.ReadAllText(path).Trim());
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Setting} is not configured: using a key generated under the data directory. Instances that share a database must share this key; set it in configuration.")]
    private static partial void LogGeneratedKeyInScaleOut(ILogger logger, string setting);
}
