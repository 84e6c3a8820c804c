using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SipActors.Hosting.Tests")]
// The clustered hosting package plugs its placement in through the internal seam (Placement/).
[assembly: InternalsVisibleTo("SipActors.Cluster.Hosting")]
[assembly: InternalsVisibleTo("SipActors.Cluster.Hosting.Tests")]
