namespace SipActors.Sip;

/// <summary>The SIP methods this stack knows by name; anything else is <see cref="Unknown"/> with its name kept as text.</summary>
public enum SipMethod : byte
{
    Unknown = 0,
    Invite,
    Ack,
    Bye,
    Cancel,
    Register,
    Options,
    Message,
    Notify,
    Subscribe,
    Refer,
    Info,
    Update,
    Prack,
    Publish,
}
