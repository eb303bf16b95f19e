using Microsoft.Extensions.Options;

namespace Talko.Server.Kernel;

/// <summary>The embedded mode's data folder (SQLite file, blobs, generated keys), created on first use.</summary>
public sealed class DataDirectory
{
    public DataDirectory(IHostEnvironment environment, IOptions<TalkoOptions> options)
    {
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(environment.ContentRootPath, options.Value.DataDirectory));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);
}
