namespace Talko.Tests.Infrastructure;

/// <summary>The repository's root (where Talko.sln is), found from the test binaries, for tests that read docs or deploy files.</summary>
internal static class SolutionDirectory
{
    public static string Find()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Talko.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Talko.sln not found above the test output.");
    }
}
