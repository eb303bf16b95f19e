using Talko.Core.Accounts;

namespace Talko.Server.Features.Accounts.Codes;

/// <summary>Writes codes to the log: the embedded and development delivery, so no mail or SMS setup is needed to sign in.</summary>
public sealed class LogVerificationCodeSender(ILogger<LogVerificationCodeSender> logger) : IVerificationCodeSender
{
    public Task SendAsync(NormalizedIdentifier identifier, string code, CancellationToken cancellationToken)
    {
        AccountsLog.CodeWrittenToLog(logger, identifier.Hint, code);
        return Task.CompletedTask;
    }
}
