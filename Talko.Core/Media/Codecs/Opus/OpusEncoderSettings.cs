namespace Talko.Core.Media.Codecs.Opus;

/// <summary>What one encoder is set to: legs and recordings differ in bitrate, a benchmark in complexity.</summary>
public readonly record struct OpusEncoderSettings(int Bitrate, int Complexity, bool InbandFec = true, int ExpectedPacketLossPercent = 5);
