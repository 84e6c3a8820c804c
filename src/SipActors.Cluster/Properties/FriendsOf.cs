using System.Runtime.CompilerServices;

[assembly: InternalsVisibleTo("SipActors.Cluster.Tests")]
