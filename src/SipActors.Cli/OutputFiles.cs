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

    /// <summary>
    /// Writes each file that has a path (a run's report, HTML, CSV) with what its render gives;
    /// false, after saying which and why on <paramref name="error"/>, when one could not be written.
    /// </summary>
    public static async Task<bool> WriteAllAsync(IEnumerable<(string? Path, Func<string> Render)> files, TextWriter error)
    {
        var ok = true;
        foreach (var (path, render) in files)
        {
            if (path is null)
            {
                continue;
            }
            try
            {
                await File.WriteAllTextAsync(path, render()).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"cannot write {path}: {e.Message}").ConfigureAwait(false);
                ok = false;
            }
        }
        return ok;
    }
}
