using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Conversations;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Features.Groups;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Sync;

/// <summary>
/// Everything that changed in my conversations since <c>Token</c> was issued: conversations (with my read
/// state), items (new, edited, tombstones), tags, bookmarks, my flags and memberships. Call again with
/// <c>Token</c> while <c>HasMore</c>. <c>RemovedConversations</c> are ones I no longer belong to.
/// </summary>
public sealed record SyncPage(
    string Token,
    bool HasMore,
    IReadOnlyList<ConversationView> Conversations,
    IReadOnlyList<Guid> RemovedConversations,
    IReadOnlyList<TimelineItem> Items,
    IReadOnlyList<TagView> Tags,
    IReadOnlyList<BookmarkView> Bookmarks,
    IReadOnlyList<FlagView> Flags,
    IReadOnlyList<ConversationMemberView> Members);

public static class SyncApi
{
    public static IEndpointRouteBuilder MapSyncApi(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/sync", Sync).WithTags("Sync").RequireAuthorization()
            .WithSummary("Changes across all my conversations since a token (none: from the beginning), paged");
        return routes;
    }

    private static async Task<Results<Ok<SyncPage>, ProblemHttpResult>> Sync(
        string? since, int? limit, HttpContext http, TalkoDbContext db, GroupMembership groups, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!SyncToken.TryDecode(since, settings.MaxSyncTokenConversations, out var token))
        {
            return Problems.Invalid("The sync token is not valid; sync from the beginning (no since).");
        }

        if (limit is < 1 || limit > settings.MaxSyncPageSize)
        {
            return Problems.Invalid($"limit is 1 to {settings.MaxSyncPageSize}.");
        }

        var userId = http.User.GetUserId();
        await groups.ClaimInvitesAsync(userId, cancellationToken);
        var memberships = await (
            from m in db.Set<ConversationMember>().AsNoTracking()
            join c in db.Set<Conversation>().AsNoTracking() on m.ConversationId equals c.Id
            where m.UserId == userId
            orderby c.Id
            select new { c.Id, c.Version, Removed = m.RemovedAt != null, MemberVersion = m.Version }).ToListAsync(cancellationToken);

        var page = new PageBuilder(limit ?? settings.DefaultSyncPageSize);
        var next = new Dictionary<Guid, long>();
        var changed = new List<Guid>();
        var removed = new List<Guid>();
        foreach (var membership in memberships)
        {
            var seen = token.VersionOf(membership.Id);
            if (membership.Removed)
            {
                // Tell devices that knew the conversation; a device that never saw it need not hear of it.
                if (token.Versions.ContainsKey(membership.Id) && membership.MemberVersion > seen)
                {
                    removed.Add(membership.Id);
                }

                continue;
            }

            if (membership.Version <= seen || page.Full)
            {
                page.HasMore |= membership.Version > seen;
                next[membership.Id] = seen;
                continue;
            }

            next[membership.Id] = await page.AddAsync(db, membership.Id, userId, seen, membership.Version, cancellationToken);
            changed.Add(membership.Id);
        }

        var conversations = await Views.ConversationsAsync(db, changed, userId, cancellationToken);
        return TypedResults.Ok(new SyncPage(
            new SyncToken(next).Encode(),
            page.HasMore,
            conversations,
            removed,
            await Views.ItemsAsync(db, page.Items, cancellationToken),
            page.Tags.Select(Views.Tag).ToList(),
            page.Bookmarks.Select(Views.Bookmark).ToList(),
            page.Flags.Select(Views.Flag).ToList(),
            page.Members.Select(Views.Member).ToList()));
    }

    /// <summary>
    /// Collects whole versions of changes until the budget is spent. A version is never split across
    /// pages (the token records a version as seen only when all its rows were sent), except that one
    /// version larger than the whole budget is sent whole on its own page, so paging always advances.
    /// </summary>
    private sealed class PageBuilder(int budget)
    {
        private int remaining = budget;

        public bool HasMore { get; set; }

        public bool Full => remaining <= 0;

        public List<Item> Items { get; } = [];

        public List<Tag> Tags { get; } = [];

        public List<Bookmark> Bookmarks { get; } = [];

        public List<Flag> Flags { get; } = [];

        public List<ConversationMember> Members { get; } = [];

        /// <summary>Adds the conversation's changes after <paramref name="seen"/> (up to <paramref name="current"/>) that fit; returns the version now seen.</summary>
        public async Task<long> AddAsync(TalkoDbContext db, Guid conversationId, Guid userId, long seen, long current, CancellationToken cancellationToken)
        {
            var take = remaining + 1;
            var rows = await FetchAsync(db, conversationId, userId, seen, current, take, cancellationToken);

            // Every kind fetched at most take rows: past its last complete version it may be cut short.
            var upTo = current;
            foreach (var versions in rows.VersionsByKind().Where(v => v.Count >= take))
            {
                upTo = Math.Min(upTo, versions[take - 1] - 1);
            }

            var all = rows.AllVersions().Where(v => v <= upTo).Order().ToList();
            if (all.Count > remaining)
            {
                upTo = all[remaining] - 1;
            }

            if (upTo <= seen)
            {
                // One version bigger than the budget: send that version whole.
                upTo = seen + 1;
                rows = await FetchAsync(db, conversationId, userId, seen, upTo, int.MaxValue, cancellationToken);
            }

            var added = rows.Keep(upTo, this);
            remaining -= added;
            HasMore |= upTo < current;
            return upTo;
        }

        private static async Task<Rows> FetchAsync(TalkoDbContext db, Guid conversationId, Guid userId, long after, long upTo, int take, CancellationToken cancellationToken) => new(
            await db.Set<Item>().AsNoTracking().Where(i => i.ConversationId == conversationId && i.Version > after && i.Version <= upTo).OrderBy(i => i.Version).Take(take).ToListAsync(cancellationToken),
            await db.Set<Tag>().AsNoTracking().Where(t => t.ConversationId == conversationId && t.Version > after && t.Version <= upTo).OrderBy(t => t.Version).Take(take).ToListAsync(cancellationToken),
            await db.Set<Bookmark>().AsNoTracking().Where(b => b.ConversationId == conversationId && b.Version > after && b.Version <= upTo).OrderBy(b => b.Version).Take(take).ToListAsync(cancellationToken),
            await db.Set<Flag>().AsNoTracking().Where(f => f.ConversationId == conversationId && f.UserId == userId && f.Version > after && f.Version <= upTo).OrderBy(f => f.Version).Take(take).ToListAsync(cancellationToken),
            await db.Set<ConversationMember>().AsNoTracking().Where(m => m.ConversationId == conversationId && m.Version > after && m.Version <= upTo).OrderBy(m => m.Version).Take(take).ToListAsync(cancellationToken));

        private sealed record Rows(List<Item> Items, List<Tag> Tags, List<Bookmark> Bookmarks, List<Flag> Flags, List<ConversationMember> Members)
        {
            public IEnumerable<List<long>> VersionsByKind() =>
            [
                Items.Select(i => i.Version).ToList(), Tags.Select(t => t.Version).ToList(), Bookmarks.Select(b => b.Version).ToList(),
                Flags.Select(f => f.Version).ToList(), Members.Select(m => m.Version).ToList(),
            ];

            public IEnumerable<long> AllVersions() => VersionsByKind().SelectMany(v => v);

            public int Keep(long upTo, PageBuilder page)
            {
                var before = page.Items.Count + page.Tags.Count + page.Bookmarks.Count + page.Flags.Count + page.Members.Count;
                page.Items.AddRange(Items.Where(i => i.Version <= upTo).OrderBy(i => i.Seq));
                page.Tags.AddRange(Tags.Where(t => t.Version <= upTo));
                page.Bookmarks.AddRange(Bookmarks.Where(b => b.Version <= upTo));
                page.Flags.AddRange(Flags.Where(f => f.Version <= upTo));
                page.Members.AddRange(Members.Where(m => m.Version <= upTo));
                return page.Items.Count + page.Tags.Count + page.Bookmarks.Count + page.Flags.Count + page.Members.Count - before;
            }
        }
    }
}
