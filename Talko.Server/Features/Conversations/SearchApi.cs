using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Input;

namespace Talko.Server.Features.Conversations;

public sealed record SearchResults(IReadOnlyList<ConversationView> Conversations, IReadOnlyList<TimelineItem> Items);

/// <summary>
/// Search in my conversations by text (q) and/or hashtag (tag). PostgreSQL uses full-text search (the
/// 'simple' configuration, so no language is assumed; a GIN index backs it); SQLite a case-insensitive
/// substring match, which is fine at the embedded mode's scale.
/// </summary>
public static class SearchApi
{
    public static IEndpointRouteBuilder MapSearchEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/search", Search).WithTags("Search").RequireAuthorization()
            .WithSummary("Conversations (by title or tag) and items (by text or tag) in my conversations");
        return routes;
    }

    private static async Task<Results<Ok<SearchResults>, ProblemHttpResult>> Search(
        string? q, string? tag, Guid? conversationId, HttpContext http, TalkoDbContext db, IOptions<ConversationsOptions> options, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (FieldProblems.CheckText("q", q, TextRules.SearchQuery(settings), out var text) is { } badQuery)
        {
            return badQuery;
        }

        var tagName = tag is null ? null : Hashtags.Normalize(tag);
        if (tag is not null && tagName is null)
        {
            return Problems.Invalid("The tag is not a valid hashtag.");
        }

        if (string.IsNullOrEmpty(text) && tagName is null)
        {
            return Problems.Invalid("Give q (text), tag, or both.");
        }

        var userId = http.User.GetUserId();
        var mine = ConversationsApi.MyConversations(db, userId).Select(c => c.Id);
        if (conversationId is { } only)
        {
            mine = mine.Where(id => id == only);
        }

        var items = db.Set<Item>().AsNoTracking().Where(i => mine.Contains(i.ConversationId) && i.DeletedAt == null);
        var conversations = db.Set<Conversation>().AsNoTracking().Where(c => mine.Contains(c.Id));
        if (tagName is not null)
        {
            var tagged = db.Set<Tag>().AsNoTracking().Where(t => t.Name == tagName && t.RemovedAt == null);
            items = items.Where(i => tagged.Any(t => t.ItemId == i.Id));
            conversations = conversations.Where(c => tagged.Any(t => t.ConversationId == c.Id && t.ItemId == null && t.CallId == null));
        }

        if (!string.IsNullOrEmpty(text))
        {
            if (db.Database.IsNpgsql())
            {
                items = items.Where(i => EF.Functions.ToTsVector("simple", i.Text ?? "").Matches(EF.Functions.PlainToTsQuery("simple", text)));
                conversations = conversations.Where(c => EF.Functions.ToTsVector("simple", c.Title).Matches(EF.Functions.PlainToTsQuery("simple", text)));
            }
            else
            {
                var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
                items = items.Where(i => EF.Functions.Like(i.Text!, pattern, "\\"));
                conversations = conversations.Where(c => EF.Functions.Like(c.Title, pattern, "\\"));
            }
        }

        var foundItems = await items.OrderByDescending(i => i.CreatedAt).Take(settings.MaxSearchResults).ToListAsync(cancellationToken);
        var foundConversations = await conversations.Select(c => c.Id).Take(settings.MaxSearchResults).ToListAsync(cancellationToken);
        return TypedResults.Ok(new SearchResults(
            await Views.ConversationsAsync(db, foundConversations, userId, cancellationToken),
            await Views.ItemsAsync(db, foundItems, cancellationToken)));
    }
}
