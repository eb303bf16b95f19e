using Microsoft.Extensions.Options;

namespace Talko.Server.Features.Accounts.Codes;

/// <param name="To">The full address or number the code was for (Development only: nobody else reads this).</param>
/// <param name="Code">The one-time code.</param>
/// <param name="SentAt">When it was issued.</param>
/// <param name="ExpiresAt">When it stops working.</param>
public sealed record MailboxMessage(string To, string Code, DateTimeOffset SentAt, DateTimeOffset ExpiresAt);

/// <summary>
/// The codes the server would have mailed or texted, kept in memory for the development mailbox page, because with no
/// delivery configured they otherwise go only to the log, where a newcomer does not look. Exists only in Development
/// with no email delivery (see <see cref="DevelopmentMailboxApi"/>); holds the newest <see cref="Capacity"/> codes that
/// still work.
/// </summary>
public sealed class DevelopmentMailbox(TimeProvider time, IOptions<AccountsOptions> options)
{
    public const int Capacity = 50;
    private readonly Lock gate = new();
    private readonly LinkedList<MailboxMessage> messages = new();

    public void Deliver(string to, string code)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            messages.AddFirst(new MailboxMessage(to, code, now, now + options.Value.CodeLifetime));
            while (messages.Count > Capacity)
            {
                messages.RemoveLast();
            }
        }
    }

    /// <summary>Newest first, expired codes left out.</summary>
    public IReadOnlyList<MailboxMessage> Read()
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            return messages.Where(m => m.ExpiresAt > now).ToList();
        }
    }
}
