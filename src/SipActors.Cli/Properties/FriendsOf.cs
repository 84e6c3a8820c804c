using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SipActors.Cli.Tests")]
