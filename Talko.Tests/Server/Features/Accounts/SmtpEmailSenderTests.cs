using Microsoft.Extensions.Options;
using Talko.LoadClient;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Accounts.Codes;
using Talko.Tests.Infrastructure;

namespace Talko.Tests.Server.Features.Accounts;

/// <summary>The MailKit sender against a real SMTP conversation on loopback.</summary>
public sealed class SmtpEmailSenderTests
{
    [Fact]
    public async Task A_code_mail_reaches_the_smtp_server_for_its_recipient()
    {
        await using var server = new SmtpCodeSink();
        var sender = new SmtpEmailSender(Options.Create(new AccountsOptions
        {
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = server.Port, EnableTls = false, From = "codes@talko.example" },
        }));

        await sender.SendAsync("ana@example.com", "Your Talko code", "Your Talko code is 482913. It expires in a few minutes.", CancellationToken.None)
            .WaitAsync(TestTimeouts.Default);

        Assert.Equal("482913", await server.CodeForAsync("ana@example.com", TestTimeouts.Default));
    }

    [Fact]
    public async Task Tls_required_but_not_offered_fails_instead_of_sending_in_clear()
    {
        await using var server = new SmtpCodeSink();
        var sender = new SmtpEmailSender(Options.Create(new AccountsOptions
        {
            Smtp = new SmtpOptions { Host = "127.0.0.1", Port = server.Port, EnableTls = true },
        }));

        await Assert.ThrowsAnyAsync<Exception>(() => sender.SendAsync("ana@example.com", "", "Your Talko code is 482913.", CancellationToken.None).WaitAsync(TestTimeouts.Default));
        await Assert.ThrowsAsync<TimeoutException>(() => server.CodeForAsync("ana@example.com", TimeSpan.FromMilliseconds(300)));
    }
}
