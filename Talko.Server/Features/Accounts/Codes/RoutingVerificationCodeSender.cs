using Talko.Core.Accounts;

namespace Talko.Server.Features.Accounts.Codes;

/// <summary>
/// The default delivery: email addresses through <see cref="IEmailSender"/> and phone numbers through
/// <see cref="ISmsSender"/> when those are configured, the log otherwise.
/// </summary>
public sealed class RoutingVerificationCodeSender(
    LogVerificationCodeSender log,
    IEmailSender? email = null,
    ISmsSender? sms = null) : IVerificationCodeSender
{
    public Task SendAsync(NormalizedIdentifier identifier, string code, CancellationToken cancellationToken)
    {
        var text = $"Your Talko code is {code}. It expires in a few minutes; do not share it.";
        return identifier.Kind switch
        {
            IdentifierKind.Email when email is not null => email.SendAsync(identifier.Value, "Your Talko code", text, cancellationToken),
            IdentifierKind.Phone when sms is not null => sms.SendAsync(identifier.Value, text, cancellationToken),
            _ => log.SendAsync(identifier, code, cancellationToken),
        };
    }
}
