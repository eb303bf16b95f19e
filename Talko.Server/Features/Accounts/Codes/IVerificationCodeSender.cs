using Talko.Core.Accounts;

namespace Talko.Server.Features.Accounts.Codes;

/// <summary>Delivers a one-time code to the identifier it verifies. Replace the registration to deliver differently (tests capture codes).</summary>
public interface IVerificationCodeSender
{
    Task SendAsync(NormalizedIdentifier identifier, string code, CancellationToken cancellationToken);
}

/// <summary>Sends a text message. No provider ships with Talko: register an implementation to deliver codes by SMS.</summary>
public interface ISmsSender
{
    Task SendAsync(string e164Number, string text, CancellationToken cancellationToken);
}

/// <summary>Sends an email message.</summary>
public interface IEmailSender
{
    Task SendAsync(string address, string subject, string body, CancellationToken cancellationToken);
}
