namespace SipActors.Sip.Registration;

/// <summary>Hears that a REGISTER got an answer (any status), on the thread that read it: a user agent notes that its UDP server is there.</summary>
internal interface IRegistrationAnswerListener
{
    void OnRegistrationAnswered();
}
