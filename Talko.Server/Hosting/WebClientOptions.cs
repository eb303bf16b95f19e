namespace Talko.Server.Hosting;

/// <summary>Where Talko Web, the client served at /, is found.</summary>
public sealed class WebClientOptions
{
    public const string Section = "Talko:WebClient";

    /// <summary>
    /// The built client (index.html and assets), absolute or relative to the content root. Empty: webclient/ under the
    /// content root, else webclient/ next to the server's assembly, where the .NET build puts it.
    /// </summary>
    public string? Directory { get; set; }
}
