namespace Talko.Tests.Infrastructure;

/// <summary>The repository the tests were built from, found from their output folder.</summary>
public static class SolutionPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Talko.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new DirectoryNotFoundException("Talko.sln not found above the test output.");
    }
}
