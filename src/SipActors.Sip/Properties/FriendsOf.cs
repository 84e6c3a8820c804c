using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SipActors.Sip.Tests")]
[assembly: InternalsVisibleTo("SipActors.Benchmarks")]
