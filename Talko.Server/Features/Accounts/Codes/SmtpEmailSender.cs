using System.Net;
using System.Net.Mail;
using Microsoft.Extensions.Options;

namespace Talko.Server.Features.Accounts.Codes;

/// <summary>Sends mail through the SMTP server in <see cref="AccountsOptions.Smtp"/> (STARTTLS when enabled).</summary>
public sealed class SmtpEmailSender(IOptions<AccountsOptions> options) : IEmailSender
{
    public async Task SendAsync(string address, string subject, string body, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient(smtp.Host, smtp.Port)
        {
            EnableSsl = smtp.EnableTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = (int)smtp.Timeout.TotalMilliseconds,
        };
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            client.Credentials = new NetworkCredential(smtp.UserName, smtp.Password);
        }

        using var message = new MailMessage(smtp.From, address, string.IsNullOrEmpty(subject) ? smtp.Subject : subject, body);
        await client.SendMailAsync(message, cancellationToken);
    }
}
