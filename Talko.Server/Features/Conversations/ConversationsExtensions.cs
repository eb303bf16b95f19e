using Microsoft.Extensions.DependencyInjection.Extensions;
using Talko.Core.Conversations;
using Talko.Core.Conversations.Media;
using Talko.Core.Imaging;
using Talko.Server.Features.Notifications.InApp;

namespace Talko.Server.Features.Conversations;

public static class ConversationsExtensions
{
    /// <summary>Conversations, timelines and media. Groups, sync, blobs and the realtime hub wire themselves (composition root).</summary>
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
        builder.Services.AddScoped<MediaUpload>();
        builder.Services.AddScoped<CallReferences>();
        builder.Services.AddScoped<IConversationMemberCheck, ConversationMemberCheck>();
        return builder;
    }

    public static IEndpointRouteBuilder MapConversationsApi(this IEndpointRouteBuilder routes) =>
        routes.MapConversationsEndpoints()
            .MapItemsEndpoints()
            .MapAnnotationsEndpoints()
            .MapSearchEndpoints()
            .MapExportEndpoints();
}
