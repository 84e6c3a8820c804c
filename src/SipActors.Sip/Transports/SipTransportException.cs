namespace SipActors.Sip.Transports;

/// <summary>A message could not be sent or a connection could not be made or was lost.</summary>
public sealed class SipTransportException : IOException
{
    public SipTransportException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}
