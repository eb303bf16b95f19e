using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Talko.Core.Media.Codecs.Opus;

/// <summary>
/// The Opus implementation this process uses, chosen once at start-up from <see cref="OpusOptions.Implementation"/>:
/// native libopus (Debian's libopus0) when it loads, Concentus otherwise, or exactly the one configured. The choice is
/// logged; requiring native libopus without it fails start-up with an error that names the package.
/// </summary>
public sealed class OpusCodecs
{
    private readonly NativeOpusLibrary? native;

    public OpusCodecs(IOptions<OpusOptions> options, ILogger<OpusCodecs> logger)
        : this(options.Value, logger)
    {
    }

    public OpusCodecs(OpusOptions options, ILogger logger)
        : this(options, logger, NativeOpusLibrary.FileName)
    {
    }

    /// <summary>Tests name a library that does not exist to see the fallback and the start-up error.</summary>
    internal OpusCodecs(OpusOptions options, ILogger logger, string nativeLibraryFileName)
    {
        options.Validate();
        Options = options;
        if (options.Implementation == OpusImplementation.Managed)
        {
            OpusLog.ManagedChosen(logger, options.Complexity, options.Bitrate);
            Description = "Concentus (managed)";
            return;
        }

        if (NativeOpusLibrary.TryGet(nativeLibraryFileName, out var library, out var error))
        {
            native = library;
            Description = library.Version;
            OpusLog.NativeChosen(logger, library.Version, nativeLibraryFileName, options.Complexity, options.Bitrate);
            return;
        }

        if (options.Implementation == OpusImplementation.Native)
        {
            throw new OpusLibraryMissingException(
                $"Talko:Media:Opus:Implementation is Native but {error}. Install it with `apt-get install {NativeOpusLibrary.DebianPackage}` " +
                "(Debian's libopus0), or set the implementation to Auto or Managed.");
        }

        OpusLog.FellBackToManaged(logger, nativeLibraryFileName, error, NativeOpusLibrary.DebianPackage);
        Description = "Concentus (managed)";
    }

    public OpusOptions Options { get; }

    /// <summary>True when native libopus encodes and decodes.</summary>
    public bool IsNative => native is not null;

    /// <summary>"libopus 1.3.1" or "Concentus (managed)", for logs and diagnostics.</summary>
    public string Description { get; }

    /// <summary>An encoder for a call leg at the configured bitrate and complexity.</summary>
    public IOpusFrameEncoder CreateEncoder() => CreateEncoder(Options.Bitrate);

    public IOpusFrameEncoder CreateEncoder(int bitrate) =>
        CreateEncoder(new OpusEncoderSettings(bitrate, Options.Complexity, InbandFec: true, Options.ExpectedPacketLossPercent));

    public IOpusFrameEncoder CreateEncoder(OpusEncoderSettings settings) => settings.SampleRate is not (8000 or 12000 or 16000 or 24000 or 48000)
        ? throw new ArgumentException($"Opus takes 8, 12, 16, 24 or 48 kHz, not {settings.SampleRate} Hz.", nameof(settings))
        :
        native is not null ? new NativeOpusEncoder(native, settings) : new ManagedOpusEncoder(settings);

    /// <summary>A decoder to 20 ms frames at <paramref name="sampleRate"/> (48 kHz unless a 16 kHz mix is measured).</summary>
    public IOpusFrameDecoder CreateDecoder(int sampleRate = OpusFormat.SampleRate) =>
        native is not null ? new NativeOpusDecoder(native, sampleRate) : new ManagedOpusDecoder(sampleRate);
}
