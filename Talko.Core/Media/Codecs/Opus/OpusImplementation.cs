namespace Talko.Core.Media.Codecs.Opus;

/// <summary>Which Opus implementation encodes and decodes.</summary>
public enum OpusImplementation
{
    /// <summary>Native libopus when it loads, Concentus (managed) otherwise; the choice is logged at start-up.</summary>
    Auto,

    /// <summary>Native libopus only: start-up fails, naming the Debian package, when it cannot be loaded.</summary>
    Native,

    /// <summary>Concentus, the managed port: no native dependency, several times slower to encode.</summary>
    Managed,
}
