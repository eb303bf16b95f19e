using Microsoft.Extensions.DependencyInjection.Extensions;
using Talko.Core.Conversations;
using Talko.Core.Conversations.Media;
using Talko.Core.Imaging;
using Talko.Server.Features.Accounts;
using Talko.Server.Features.Blobs;
using Talko.Server.Features.Groups;
using Talko.Server.Features.Realtime;
using Talko.Server.Features.Sync;

namespace Talko.Server.Features.Conversations;

public static class ConversationsExtensions
{
    /// <summary>Groups, conversations, timelines, sync, media and the realtime hub that carries their events.</summary>
    public static IHostApplicationBuilder AddConversations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConversationsOptions>().BindConfiguration(ConversationsOptions.Section)
            .Validate(o => o.MaxTextLength > 0 && o.MaxPhotoBytes > 0 && o.MaxVoiceClipBytes > 0 && o.MaxPageSize > 0 && o.MaxSyncPageSize > 0
                && o.DefaultPageSize is > 0 && o.DefaultPageSize <= o.MaxPageSize && o.DefaultSyncPageSize > 0 && o.DefaultSyncPageSize <= o.MaxSyncPageSize,
                "Talko:Conversations limits must be positive, and defaults within their maximums.")
            .ValidateOnStart();
        builder.Services.AddOptions<ImagingOptions>().BindConfiguration(ImagingOptions.Section)
            .Validate(o => o.IsValid(), "Talko:Imaging limits must be positive; ThumbnailMaxSide at most 1024 and JpegQuality 1-100.")
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<IThumbnailGenerator, DecodingThumbnailGenerator>();
        builder.Services.AddScoped<Timeline>();
        builder.Services.AddScoped<ConversationMembership>();
        builder.Services.AddScoped<GroupMembership>();
        builder.Services.AddScoped<IIdentifierVerifiedListener, ClaimInvitesOnVerification>();
        builder.Services.AddScoped<MediaUpload>();
        builder.Services.AddScoped<CallReferences>();
        builder.AddRealtime();
        return builder;
    }

    public static IEndpointRouteBuilder MapConversationsApi(this IEndpointRouteBuilder routes) =>
        routes.MapGroupsApi()
            .MapPeopleApi()
            .MapConversationsEndpoints()
            .MapItemsEndpoints()
            .MapAnnotationsEndpoints()
            .MapSearchEndpoints()
            .MapExportEndpoints()
            .MapSyncApi()
            .MapBlobsApi()
            .MapRealtime();
}
