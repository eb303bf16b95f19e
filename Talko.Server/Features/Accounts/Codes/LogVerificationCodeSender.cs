using Talko.Core.Accounts;

namespace Talko.Server.Features.Accounts.Codes;

/// <summary>
/// Writes codes to the log: the embedded and development delivery, so no mail or SMS setup is needed to sign in. In
/// Development it also drops them into the <see cref="DevelopmentMailbox"/>, where the web client shows them.
/// </summary>
public sealed class LogVerificationCodeSender(ILogger<LogVerificationCodeSender> logger, DevelopmentMailbox? mailbox = null) : IVerificationCodeSender
{
    public Task SendAsync(NormalizedIdentifier identifier, string code, CancellationToken cancellationToken)
    {
        AccountsLog.CodeWrittenToLog(logger, identifier.Hint, code);
        mailbox?.Deliver(identifier.Value, code);
        return Task.CompletedTask;
    }
}
