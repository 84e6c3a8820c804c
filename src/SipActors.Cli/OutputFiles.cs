namespace SipActors.Cli;

/// <summary>
/// Checks, before a run, that a file it will write at the end can be written: a report lost after
/// a ten-minute run (a directory given, a read-only place) costs the whole run.
/// </summary>
internal static class OutputFiles
{
    /// <summary>Null when <paramref name="path"/> can be written; else why not, naming <paramref name="option"/>.</summary>
    public static string? Problem(string option, string path)
    {
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            return $"{option} '{full}' is a directory: give the name of a file in it";
        }
        if (Path.GetDirectoryName(full) is { } directory && !Directory.Exists(directory))
        {
            return $"{option} '{full}': the directory {directory} does not exist";
        }
        var existed = File.Exists(full);
        try
        {
            // Opened for writing without truncating it: an existing file keeps its content until the run writes it.
            using (new FileStream(full, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
            }
            if (!existed)
            {
                File.Delete(full);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return $"{option} '{full}' cannot be written: {e.Message}";
        }
    }
}
