namespace SipActors.Cli.Load;

/// <summary>One line per frame, for logs and pipes.</summary>
internal sealed class PlainProgressView(TextWriter output) : LoadProgressView
{
    public override Task<T> RunAsync<T>(Func<Action<LoadFrame>, Task<T>> body)
        => body(frame => output.WriteLine(frame.ToLine()));
}
