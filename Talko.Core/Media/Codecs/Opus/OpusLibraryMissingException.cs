namespace Talko.Core.Media.Codecs.Opus;

/// <summary>Native libopus is required (Talko:Media:Opus:Implementation = Native) but could not be loaded.</summary>
public sealed class OpusLibraryMissingException(string message, Exception? inner = null) : Exception(message, inner);
