namespace SipActors.IntegrationTests.Peers;

/// <summary>A test peer is missing from this machine: the message says what to install.</summary>
public sealed class PeerNotInstalledException(string message) : Exception(message);
