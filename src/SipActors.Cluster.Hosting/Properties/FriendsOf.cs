using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SipActors.Cluster.Hosting.Tests")]
