using Talko.Server.Features.Accounts.Codes;
using Talko.Server.Kernel;

namespace Talko.Server.Hosting;

/// <summary>
/// Says at start-up what a newcomer needs to find: which mode runs, where the data directory is, and where
/// sign-in codes go when no email or SMS delivery is configured (this log).
/// </summary>
internal sealed partial class StartupReport(
    TalkoMode mode, DataDirectory data, IHostApplicationLifetime lifetime, IServiceProvider services, ILogger<StartupReport> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Report);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Report()
    {
        LogMode(logger, mode.ToString(), data.Path);
        var email = services.GetService<IEmailSender>() is not null;
        var sms = services.GetService<ISmsSender>() is not null;
        if (!email || !sms)
        {
            LogCodesInLog(logger, (email, sms) switch
            {
                (false, false) => "email addresses and phone numbers",
                (false, true) => "email addresses",
                _ => "phone numbers",
            }, services.GetService<DevelopmentMailbox>() is not null ? $" and to the development mailbox ({DevelopmentMailboxApi.Path}, shown by Talko Web at /#/mailbox)" : "");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Talko runs with {Mode}; data directory {DataDirectory} (SQLite file, blobs, recordings and generated keys unless configured elsewhere)")]
    private static partial void LogMode(ILogger logger, string mode, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sign-in codes for {Identifiers} are written to this log (a Warning \"One-time code for ...\"){Mailbox}: no delivery is configured for them")]
    private static partial void LogCodesInLog(ILogger logger, string identifiers, string mailbox);
}
