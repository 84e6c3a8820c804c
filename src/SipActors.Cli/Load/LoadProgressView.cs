namespace SipActors.Cli.Load;

/// <summary>
/// Shows a load run's progress while <see cref="RunAsync"/>'s body runs: a Spectre.Console live
/// view on a terminal, a plain line per frame otherwise, nothing with --quiet.
/// </summary>
internal abstract class LoadProgressView
{
    public static LoadProgressView Create(TextWriter output, bool live, bool quiet)
        => quiet ? new PlainProgressView(TextWriter.Null) : live ? new LiveProgressView() : new PlainProgressView(output);

    /// <summary>Runs <paramref name="body"/>, which reports frames through the action it is given.</summary>
    public abstract Task<T> RunAsync<T>(Func<Action<LoadFrame>, Task<T>> body);
}
