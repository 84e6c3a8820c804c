using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SipActors.Hosting.Tests")]
