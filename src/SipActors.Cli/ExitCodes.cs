namespace SipActors.Cli;

/// <summary>The exit codes every <c>sipactors</c> command shares, so scripts can tell a failed run from a wrong command line.</summary>
internal static class ExitCodes
{
    /// <summary>The run did what it was asked: every account registered (and un-registered), or a clean stop.</summary>
    public const int Success = 0;

    /// <summary>The run happened but did not fully succeed: failures, an interruption, an account that could not connect.</summary>
    public const int Failure = 1;

    /// <summary>A usage or configuration error: nothing was run; the message names the option, file or key.</summary>
    public const int Usage = 2;
}
