using System.Text;
using SipActors.Sip.Calls;
using SipActors.Sip.Registrar;
using SipActors.Sip.Transactions;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Tests.Calls;

/// <summary>
/// The rig of call tests: alice and bob, two accounts of one stack registered on the embedded
/// registrar over UDP loopback, with short transaction timers so Timers J, K and the ACK wait end within a test.
/// </summary>
public abstract class LoopbackCallTests : IAsyncLifetime
{
    protected static readonly SipTimerSettings FastTimers = new() { T1 = TimeSpan.FromMilliseconds(40), T2 = TimeSpan.FromMilliseconds(320), T4 = TimeSpan.FromMilliseconds(200) };

    private protected EmbeddedRegistrar Registrar { get; private set; } = null!;
    private protected SipStack Stack { get; private set; } = null!;
    private protected LoopbackPhone Alice { get; private set; } = null!;
    private protected LoopbackPhone Bob { get; private set; } = null!;

    public async Task InitializeAsync() => await StartAsync(new EmbeddedRegistrarOptions());

    private protected async Task StartAsync(EmbeddedRegistrarOptions options)
    {
        Registrar = EmbeddedRegistrar.Start(options);
        Stack = new SipStack(FastTimers);
        Alice = await LoopbackPhone.RegisterAsync(Stack, Registrar, "alice");
        Bob = await LoopbackPhone.RegisterAsync(Stack, Registrar, "bob");
    }

    public async Task DisposeAsync()
    {
        await Alice.Agent.DisposeAsync();
        await Bob.Agent.DisposeAsync();
        await Stack.DisposeAsync();
        await Registrar.DisposeAsync();
    }

    protected static ReadOnlyMemory<byte> Sdp(string text) => Encoding.UTF8.GetBytes(text);

    /// <summary>Alice calls bob, who answers at once; both sides confirmed.</summary>
    private protected async Task<((SipCall Call, CallRecorder Events) Caller, (SipCall Call, CallRecorder Events) Callee)> ConnectedCallAsync()
    {
        var caller = Alice.Call(Bob, "v=0 alice");
        var callee = await Bob.NextIncomingAsync();
        Assert.True(callee.Call.Answer(Sdp("v=0 bob")));
        await caller.Events.Next(SipCallEventKind.Confirmed);
        await callee.Events.Next(SipCallEventKind.Confirmed);
        return (caller, callee);
    }

    /// <summary>Polls a condition the stack offers no notification for, within a bound.</summary>
    protected static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }

    protected async Task AssertNothingLeftAsync()
    {
        Assert.Equal(0, Stack.Dialogs.Count);
        await Eventually(() => Alice.Agent.CallCount == 0 && Bob.Agent.CallCount == 0, "the accounts to forget their calls");
        await Eventually(() => Stack.Transactions.Count == 0, "the transaction table to empty");
    }
}
