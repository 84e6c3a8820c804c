using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SipActors.Tests")]
