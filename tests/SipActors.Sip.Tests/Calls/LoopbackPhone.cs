using System.Threading.Channels;
using SipActors.Sip.Calls;
using SipActors.Sip.Registrar;
using SipActors.Sip.Transactions;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Tests.Calls;

/// <summary>An account registered on the embedded registrar that wraps every incoming INVITE in a call.</summary>
internal sealed class LoopbackPhone : ISipRequestHandler
{
    private readonly Channel<(SipCall Call, CallRecorder Events)> _incoming = Channel.CreateUnbounded<(SipCall, CallRecorder)>();
    private readonly Channel<SipRequest> _strays = Channel.CreateUnbounded<SipRequest>();

    private LoopbackPhone(SipUserAgent agent) => Agent = agent;

    public SipUserAgent Agent { get; }

    public string Aor => Agent.AddressOfRecord;

    /// <summary>The options of the calls it places and accepts from now on (null: the defaults).</summary>
    public SipCallOptions? Options { get; set; }

    public static async Task<LoopbackPhone> RegisterAsync(SipStack stack, EmbeddedRegistrar registrar, string user)
    {
        SipServerTarget.TryParse($"udp://{registrar.UdpEndPoint}", out var target, out _);
        var agent = new SipUserAgent(stack, new SipUserAgentOptions { User = user, Domain = registrar.Domain, Target = target!, Password = "pw-" + user });
        var phone = new LoopbackPhone(agent);
        await agent.ConnectAsync();
        Assert.True(agent.AttachRequestHandler(phone));
        var registered = await agent.RegisterAsync();
        Assert.True(registered.Success, registered.Error);
        return phone;
    }

    public (SipCall Call, CallRecorder Events) Call(LoopbackPhone callee, string sdp = "v=0 caller")
    {
        var events = new CallRecorder();
        var call = Agent.PlaceCall(callee.Aor, System.Text.Encoding.UTF8.GetBytes(sdp), events.Record, Options);
        return (call, events);
    }

    public async Task<(SipCall Call, CallRecorder Events)> NextIncomingAsync()
        => await _incoming.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    /// <summary>The next in-dialog request that matched none of the account's calls (it was answered 481).</summary>
    public async Task<SipRequest> NextStrayAsync()
        => await _strays.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

    public void OnMessage(SipRequest request)
    {
    }

    public void OnInvite(SipServerTransaction transaction)
    {
        var events = new CallRecorder();
        var call = Agent.AcceptCall(transaction, events.Record, Options);
        _incoming.Writer.TryWrite((call, events));
    }

    public bool OnInDialogRequest(SipServerTransaction transaction)
    {
        _strays.Writer.TryWrite(transaction.Request);
        return false;
    }
}
