using Microsoft.Extensions.Options;
using Talko.Core.Calls;
using Talko.Core.Media.Engine;
using Talko.Core.Sip.Conferencing;
using Talko.Core.Sip.Registrar;
using Talko.Server.Drain;
using Talko.Server.Features.Conversations;
using Talko.Server.Kernel;
using Talko.Server.Sip;

namespace Talko.Server.Features.Calls;

public static class CallsExtensions
{
    /// <summary>
    /// Calls and the engine that carries them: the SIP engine (Talko:Sip), the media engine (Talko:Media, recordings
    /// under data/recordings unless Talko:Media:Recording:Directory says otherwise), ownership, recording index, API.
    /// </summary>
    public static IHostApplicationBuilder AddCalls(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CallsOptions>().BindConfiguration(CallsOptions.Section)
            .Validate(o => o.EmptyCallGrace > TimeSpan.Zero && o.RenewInterval > TimeSpan.Zero && o.SweepInterval > TimeSpan.Zero
                && o.MaxSegmentBytes > 0 && o.RecordingRangeChunkBytes > 0 && o.MaxLiveCallsPerConversation > 0 && o.MaxLeftInView >= 0 && o.HandoverWait >= TimeSpan.Zero
                && o.QualityInterval >= TimeSpan.FromMilliseconds(500) && o.RecordingIndexCacheEntries > 0 && o.RecordingIndexCacheBytes > 0
                && o.RecordingPlaybackLifetime > TimeSpan.Zero && o.RecordingPlaybackLifetime <= RecordingPlaybackSigner.MaxLifetime,
                "Talko:Calls limits must be positive (QualityInterval at least 500 ms, RecordingPlaybackLifetime at most 5 minutes).")
            .ValidateOnStart();
        services.AddOptions<CallOwnershipOptions>().BindConfiguration("Talko:Calls:Ownership");
        services.AddOptions<SipHostOptions>().BindConfiguration(SipHostOptions.Section);
        SipEngineSections.Register(services);

        services.AddConferenceMedia();
        services.AddOptions<MediaEngineOptions>().BindConfiguration("Talko:Media");
        services.AddSingleton<IPostConfigureOptions<MediaEngineOptions>, RecordingDirectoryDefault>();

        services.AddSingleton<CallOwnership>();
        services.AddSingleton<CallCommandBus>();
        services.AddSingleton<SegmentStoredSignals>();
        // The engines report into the sink and take commands through the control; the calls feature reads the sink.
        // Neither side depends on the other.
        services.AddSingleton<CallEventSink>();
        services.AddSingleton<IConferenceMediaObserver>(provider => provider.GetRequiredService<CallEventSink>());
        services.AddSingleton<IConferenceLegObserver>(provider => provider.GetRequiredService<CallEventSink>());
        services.AddSingleton<RunningSipEngine>();
        services.AddSingleton<IConferenceControl, SipConferenceControl>();
        services.AddScoped<WebRtcCallJoin>();
        services.AddSingleton<WebRtcLegRelay>();
        services.AddHostedService(provider => provider.GetRequiredService<WebRtcLegRelay>());
        // One LiveCall (Talko.Core.Calls) per call on this instance (LiveCalls creates them), working through these ports.
        services.AddSingleton<ICallBookkeeping, EfCallBookkeeping>();
        services.AddSingleton<ICallAnnouncer, CallAnnouncer>();
        services.AddSingleton<ICallAwareness, CallAwarenessProjection>();
        services.AddSingleton<ICallEphemeralRecords, CallEphemeralRecords>();
        services.AddSingleton<ICallInstance, ServerCallInstance>();
        services.AddOptions<LiveCallOptions>().Configure<IOptions<CallsOptions>>((live, calls) =>
        {
            live.EmptyCallGrace = calls.Value.EmptyCallGrace;
            live.RenewInterval = calls.Value.RenewInterval;
        });
        services.AddSingleton<LiveCallContext>();
        services.AddSingleton<LiveCalls>();
        services.AddSingleton<CallHost>();
        services.AddSingleton<CallPlacement>();
        services.AddSingleton<RecordingIndexCache>();
        services.AddSingleton<RecordingPlaybackSigner>();
        // Registered after the drain's default (which knows no calls), so this one is resolved.
        services.AddSingleton<ILiveCallMover, CallHostLiveCallMover>();
        services.AddScopedConferenceAdmission<CallAdmission>();
        services.AddSingleton<ISipCredentialStore, DatabaseSipCredentialStore>();
        services.AddSingleton<ISipBindingStore, EphemeralSipBindingStore>();
        services.AddSingleton<SipEngineHost>();
        services.AddHostedService(provider => provider.GetRequiredService<SipEngineHost>());
        services.AddHostedService<CallHostService>();
        services.AddHostedService<CallQualityService>();
        services.AddScoped<CallService>();
        services.AddScoped<CallReader>();
        services.AddScoped<CallEnder>();
        services.AddScoped<CallRecordingArchive>();
        services.AddScoped<ILiveCallClock, LiveCallClock>();
        services.AddScoped<CallRecords>();
        services.AddScoped<ICallRecords>(provider => provider.GetRequiredService<CallRecords>());
        services.AddScoped<Awareness.ICallAttendance>(provider => provider.GetRequiredService<CallRecords>());
        services.AddScoped<IConversationExportPart, CallsExportPart>();
        return builder;
    }

    /// <summary>Recordings go under the data directory unless configured.</summary>
    private sealed class RecordingDirectoryDefault(DataDirectory data) : IPostConfigureOptions<MediaEngineOptions>
    {
        public void PostConfigure(string? name, MediaEngineOptions options) =>
            options.Recording.Directory = string.IsNullOrWhiteSpace(options.Recording.Directory) ? data.Combine("recordings") : options.Recording.Directory;
    }
}
