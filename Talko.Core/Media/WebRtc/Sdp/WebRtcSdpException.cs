namespace Talko.Core.Media.WebRtc.Sdp;

/// <summary>A client's SDP offer Talko cannot answer; <see cref="Code"/> is a stable machine-readable reason.</summary>
public sealed class WebRtcSdpException(string code, string message) : Exception(message)
{
    public string Code { get; } = code;
}
