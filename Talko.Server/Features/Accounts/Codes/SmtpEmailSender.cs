using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Talko.Server.Features.Accounts.Codes;

/// <summary>
/// Sends mail through the SMTP server in <see cref="AccountsOptions.Smtp"/> with MailKit (ADR 0910), which
/// Microsoft recommends over System.Net.Mail.SmtpClient: STARTTLS when <see cref="SmtpOptions.EnableTls"/> is set
/// (implicit TLS on port 465), and the server's certificate checked as usual.
/// </summary>
public sealed class SmtpEmailSender(IOptions<AccountsOptions> options) : IEmailSender
{
    public async Task SendAsync(string address, string subject, string body, CancellationToken cancellationToken)
    {
        var smtp = options.Value.Smtp;
        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(smtp.From));
        message.To.Add(MailboxAddress.Parse(address));
        message.Subject = string.IsNullOrEmpty(subject) ? smtp.Subject : subject;
        message.Body = new TextPart("plain") { Text = body };

        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var security = !smtp.EnableTls ? SecureSocketOptions.None : smtp.Port == 465 ? SecureSocketOptions.SslOnConnect : SecureSocketOptions.StartTls;
        var host = smtp.Host ?? throw new InvalidOperationException("Talko:Accounts:Smtp:Host is not set; codes go to the log without it.");
        await client.ConnectAsync(host, smtp.Port, security, cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
        {
            await client.AuthenticateAsync(smtp.UserName, smtp.Password ?? string.Empty, cancellationToken);
        }

        await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
