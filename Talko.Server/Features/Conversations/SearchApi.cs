using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Talko.Core.Conversations;
using Talko.Server.Data;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Conversations.Entities;
using Talko.Server.Input;
using Talko.Server.Kernel;

namespace Talko.Server.Features.Conversations;

public sealed record SearchResults(IReadOnlyList<ConversationView> Conversations, IReadOnlyList<TimelineItem> Items);

/// <summary>
/// Search in my conversations by text (q) and/or hashtag (tag). q matches titles and texts, and also what is
/// tagged with it when it is a valid hashtag. PostgreSQL uses full-text search (the 'simple' configuration,
/// so no language is assumed; a GIN index backs it); SQLite a case-insensitive substring match, which is
/// fine at the embedded mode's scale. Newest first.
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
            // q also finds what is tagged with it ("#crane" or "crane"), as the endpoint's summary promises.
            var textTag = Hashtags.Normalize(text);
            var taggedWithText = db.Set<Tag>().AsNoTracking().Where(t => t.Name == textTag && t.RemovedAt == null);
            if (db.Database.IsNpgsql())
            {
                items = items.Where(i => EF.Functions.ToTsVector("simple", i.Text ?? "").Matches(EF.Functions.PlainToTsQuery("simple", text))
                    || (textTag != null && taggedWithText.Any(t => t.ItemId == i.Id)));
                conversations = conversations.Where(c => EF.Functions.ToTsVector("simple", c.Title).Matches(EF.Functions.PlainToTsQuery("simple", text))
                    || (textTag != null && taggedWithText.Any(t => t.ConversationId == c.Id && t.ItemId == null && t.CallId == null)));
            }
            else
            {
                var pattern = "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
                items = items.Where(i => EF.Functions.Like(i.Text!, pattern, "\\") || (textTag != null && taggedWithText.Any(t => t.ItemId == i.Id)));
                conversations = conversations.Where(c => EF.Functions.Like(c.Title, pattern, "\\")
                    || (textTag != null && taggedWithText.Any(t => t.ConversationId == c.Id && t.ItemId == null && t.CallId == null)));
            }
        }

        var foundItems = await items.OrderByDescending(i => i.CreatedAt).Take(settings.MaxSearchResults).ToListAsync(cancellationToken);
        var foundConversations = await conversations.OrderByDescending(c => c.CreatedAt).Select(c => c.Id).Take(settings.MaxSearchResults).ToListAsync(cancellationToken);
        return TypedResults.Ok(new SearchResults(
            await Views.ConversationsAsync(db, foundConversations, userId, cancellationToken),
            await Views.ItemsAsync(db, foundItems, cancellationToken)));
    }
}
