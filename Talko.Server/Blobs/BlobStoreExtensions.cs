using Talko.Core.Blobs;
using Talko.Server.Kernel;

namespace Talko.Server.Blobs;

public static class BlobStoreExtensions
{
    /// <summary>
    /// Blobs in a directory: Talko:Blobs:Directory, or blobs/ under the data directory. Scaled out, point
    /// every instance at one shared volume.
    /// </summary>
    public static IHostApplicationBuilder AddTalkoBlobs(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IBlobStore>(services =>
            new FileSystemBlobStore(builder.Configuration["Talko:Blobs:Directory"] is { Length: > 0 } configured
                ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
                : services.GetRequiredService<DataDirectory>().Combine("blobs")));
        return builder;
    }
}
