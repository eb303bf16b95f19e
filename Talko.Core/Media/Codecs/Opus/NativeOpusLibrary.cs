using System.Runtime.InteropServices;

namespace Talko.Core.Media.Codecs.Opus;

/// <summary>
/// The entry points of Debian's libopus0 (libopus.so.0), bound once by explicit loading so a missing library is a
/// clear start-up decision instead of a DllNotFoundException in the middle of a call.
/// </summary>
internal sealed unsafe class NativeOpusLibrary
{
    public const string FileName = "libopus.so.0";
    public const string DebianPackage = "libopus0";

    // opus_defines.h: the requests and constants Talko sets.
    public const int ApplicationVoip = 2048;
    public const int SignalVoice = 3001;
    public const int SetBitrateRequest = 4002;
    public const int SetVbrRequest = 4006;
    public const int SetComplexityRequest = 4010;
    public const int SetInbandFecRequest = 4012;
    public const int SetPacketLossPercentRequest = 4014;
    public const int SetSignalRequest = 4024;
    public const int GetLookaheadRequest = 4027;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<(NativeOpusLibrary? Library, string? Error)>> Loaded = new();

    private NativeOpusLibrary(nint handle)
    {
        EncoderCreate = (delegate* unmanaged[Cdecl]<int, int, int, int*, nint>)NativeLibrary.GetExport(handle, "opus_encoder_create");
        Encode = (delegate* unmanaged[Cdecl]<nint, short*, int, byte*, int, int>)NativeLibrary.GetExport(handle, "opus_encode");
        EncoderDestroy = (delegate* unmanaged[Cdecl]<nint, void>)NativeLibrary.GetExport(handle, "opus_encoder_destroy");
        var ctl = NativeLibrary.GetExport(handle, "opus_encoder_ctl");

        // opus_encoder_ctl is variadic. On the System V x86-64 and AAPCS64 (Linux) ABIs a variadic int or pointer is passed
        // exactly like a fixed one, so two fixed-signature views of the same symbol are sound on the platforms Talko runs on.
        EncoderCtlInt = (delegate* unmanaged[Cdecl]<nint, int, int, int>)ctl;
        EncoderCtlPointer = (delegate* unmanaged[Cdecl]<nint, int, int*, int>)ctl;
        DecoderCreate = (delegate* unmanaged[Cdecl]<int, int, int*, nint>)NativeLibrary.GetExport(handle, "opus_decoder_create");
        Decode = (delegate* unmanaged[Cdecl]<nint, byte*, int, short*, int, int, int>)NativeLibrary.GetExport(handle, "opus_decode");
        DecoderDestroy = (delegate* unmanaged[Cdecl]<nint, void>)NativeLibrary.GetExport(handle, "opus_decoder_destroy");

        // Variadic as the encoder's; OPUS_RESET_STATE takes no argument.
        DecoderCtl = (delegate* unmanaged[Cdecl]<nint, int, int>)NativeLibrary.GetExport(handle, "opus_decoder_ctl");
        var version = (delegate* unmanaged[Cdecl]<byte*>)NativeLibrary.GetExport(handle, "opus_get_version_string");
        Version = Marshal.PtrToStringUTF8((nint)version()) ?? "libopus";
    }

    public delegate* unmanaged[Cdecl]<int, int, int, int*, nint> EncoderCreate { get; }

    public delegate* unmanaged[Cdecl]<nint, short*, int, byte*, int, int> Encode { get; }

    public delegate* unmanaged[Cdecl]<nint, void> EncoderDestroy { get; }

    public delegate* unmanaged[Cdecl]<nint, int, int, int> EncoderCtlInt { get; }

    public delegate* unmanaged[Cdecl]<nint, int, int*, int> EncoderCtlPointer { get; }

    public delegate* unmanaged[Cdecl]<int, int, int*, nint> DecoderCreate { get; }

    public delegate* unmanaged[Cdecl]<nint, byte*, int, short*, int, int, int> Decode { get; }

    public delegate* unmanaged[Cdecl]<nint, void> DecoderDestroy { get; }

    /// <summary>opus_decoder_ctl with a request that takes no argument.</summary>
    public delegate* unmanaged[Cdecl]<nint, int, int> DecoderCtl { get; }

    /// <summary>OPUS_RESET_STATE (opus_defines.h).</summary>
    public const int ResetState = 4028;

    /// <summary>What libopus says it is, e.g. "libopus 1.3.1".</summary>
    public string Version { get; }

    /// <summary>The process-wide binding of <paramref name="fileName"/>, or the reason there is none (loaded once, on first use).</summary>
    public static bool TryGet(string fileName, out NativeOpusLibrary library, out string error)
    {
        var (loaded, reason) = Loaded.GetOrAdd(fileName, name => new(() => Load(name))).Value;
        library = loaded!;
        error = reason ?? "";
        return loaded is not null;
    }

    private static (NativeOpusLibrary?, string?) Load(string fileName)
    {
        if (!NativeLibrary.TryLoad(fileName, typeof(NativeOpusLibrary).Assembly, DllImportSearchPath.SafeDirectories, out var handle)
            && !NativeLibrary.TryLoad(fileName, out handle))
        {
            return (null, $"{fileName} was not found");
        }

        try
        {
            return (new NativeOpusLibrary(handle), null);
        }
        catch (EntryPointNotFoundException exception)
        {
            return (null, $"{fileName} lacks an entry point: {exception.Message}");
        }
    }
}
