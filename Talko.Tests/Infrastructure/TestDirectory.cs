namespace Talko.Tests.Infrastructure;

/// <summary>
/// Removes a directory a stopped server wrote to. A stopped host's last writers (a recorder's final page, SQLite's
/// journal files as its pool closes) can still be finishing for a moment after disposal returns, and a file that
/// appears while a recursive delete runs makes it fail with "Directory not empty": retry for a while, and if the
/// directory still will not go, say which files keep it.
/// </summary>
public static class TestDirectory
{
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    public static void Delete(string path)
    {
        var deadline = DateTime.UtcNow + GiveUpAfter;
        while (true)
        {
            try
            {
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }

                return;
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Pause);
            }
            catch (IOException exception)
            {
                var left = Directory.Exists(path)
                    ? string.Join(", ", Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories).Take(20))
                    : "(gone)";
                throw new IOException($"{path} could not be removed in {GiveUpAfter.TotalSeconds:F0} s; still there: {left}", exception);
            }
        }
    }
}
