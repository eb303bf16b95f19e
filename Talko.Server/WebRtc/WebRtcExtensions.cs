namespace Talko.Server.WebRtc;

public static class WebRtcExtensions
{
    /// <summary>
    /// The WebRTC legs of this instance's calls (ADR 0721). Called by the composition root after the calls feature:
    /// the legs join the call's mixer through the media engine the calls feature registers, and the calls feature's
    /// conference control reaches them for listing, hanging up and quality.
    /// </summary>
    public static IHostApplicationBuilder AddWebRtc(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<WebRtcCallLegs>();
        return builder;
    }
}
