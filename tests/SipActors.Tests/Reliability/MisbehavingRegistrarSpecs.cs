using Akka.Actor;
using Akka.TestKit.Xunit2;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Sip.UserAgents;
using Xunit.Abstractions;

namespace SipActors.Tests.Reliability;

/// <summary>
/// An account against registrars that fail it (CONTRACT.md §5.6): however the server refuses, the
/// account pushes no harder than its backoff allows, answers its caller and keeps to the order of
/// its events. Each case is bounded in seconds, on loopback.
/// </summary>
public sealed class MisbehavingRegistrarSpecs : TestKit, IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly SipStack _stack = new();
    private ScriptedRegistrar? _registrar;

    public MisbehavingRegistrarSpecs(ITestOutputHelper output) : base(output: output)
    {
        ConnectionTopics.Subscribe(Sys.EventStream, TestActor, ConnectionTopics.All);
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        if (_registrar is not null)
        {
            await _registrar.DisposeAsync();
        }
    }

    private ConnectionParameters Parameters(int expires = 300) => new()
    {
        SipServerIp = "example.test", SipServerUrl = _registrar!.Url, Register = true, User = "alice", Password = "pw-alice", RegisterExpires = expires,
    };

    private IActorRef Account() => Sys.ActorOf(ConnectionActor.Props("alice", _stack), "alice");

    private T Expect<T>(TimeSpan? within = null) where T : ConnectionEvent => FishForMessage<T>(_ => true, within ?? Wait);

    [Fact]
    public async Task Should_back_off_a_refresh_answered_503_with_retry_after_zero_instead_of_retrying_at_once()
    {
        // Registered for 10 s, then every refresh gets 503 with Retry-After: 0. Before the backoff,
        // five accounts sent 64,233 REGISTERs in 140 s this way (about 100 a second each).
        _registrar = new ScriptedRegistrar((_, n) => n == 1 ? new ScriptedAnswer(200) : new ScriptedAnswer(503, ("Retry-After", "0")));
        var account = Account();

        account.Tell(new Connect("alice", Parameters(expires: 10)), TestActor);
        Expect<Registered>();
        var unregistered = Expect<Unregistered>(TimeSpan.FromSeconds(15)); // the first refresh, 5-10 s in
        var failedAt = System.Diagnostics.Stopwatch.GetElapsedTime(0);
        await Task.Delay(TimeSpan.FromSeconds(6));

        var retries = _registrar.RegisterTimes.Count(t => t > failedAt);
        Output.WriteLine($"{retries} REGISTERs in the 6 s after the refresh failed");
        Assert.Equal(503, unregistered.StatusCode);
        Assert.InRange(retries, 1, 4); // 1-2 s, then 2-4 s, then 4-8 s
        var gaps = _registrar.RegisterTimes.Zip(_registrar.RegisterTimes.Skip(1), (a, b) => b - a).Skip(1).ToList();
        Assert.All(gaps, gap => Assert.True(gap >= TimeSpan.FromSeconds(0.9), $"a retry came {gap.TotalMilliseconds:0} ms after the one before"));
    }

    [Fact]
    public async Task Should_fail_once_and_stop_when_the_registrar_challenges_forever()
    {
        // Every REGISTER, credentials or not, gets a fresh challenge: one answer to it, then Authentication Error.
        _registrar = new ScriptedRegistrar((_, n) => new ScriptedAnswer(401,
            ("WWW-Authenticate", $"Digest realm=\"example.test\", nonce=\"n{n}\", algorithm=MD5, qop=\"auth\"")));
        var account = Account();

        account.Tell(new Connect("alice", Parameters()), TestActor);
        var failed = Expect<RegistrationFailed>();
        Expect<ConnectFailed>();
        Assert.Equal(CommandStatus.Failed, FishForMessage<CommandResult>(_ => true, Wait).Status);
        await Task.Delay(TimeSpan.FromSeconds(3));

        Assert.Equal((401, "Authentication Error"), (failed.StatusCode, failed.Cause));
        Assert.Equal(2, _registrar.Registers);
    }

    [Fact]
    public void Should_register_at_the_min_expires_of_a_423()
    {
        _registrar = new ScriptedRegistrar((request, n) => n == 1 ? new ScriptedAnswer(423, ("Min-Expires", "120")) : new ScriptedAnswer(200));
        var account = Account();

        account.Tell(new Connect("alice", Parameters(expires: 30)), TestActor);

        Assert.Equal(120, Expect<Registered>().Expires);
        Assert.Equal(2, _registrar.Registers);
    }

    [Fact]
    public async Task Should_retry_a_refresh_answered_500_with_growing_gaps_and_come_back_when_the_server_does()
    {
        var failing = true;
        _registrar = new ScriptedRegistrar((_, n) => n == 1 || !Volatile.Read(ref failing) ? new ScriptedAnswer(200) : new ScriptedAnswer(500));
        var account = Account();

        account.Tell(new Connect("alice", Parameters(expires: 10)), TestActor);
        Expect<Registered>();
        Expect<Unregistered>(TimeSpan.FromSeconds(15));
        await Task.Delay(TimeSpan.FromSeconds(4));
        Volatile.Write(ref failing, false);

        var back = Expect<Registered>(TimeSpan.FromSeconds(12)); // the next retry, at most 8 s after the last
        Assert.Equal(200, back.StatusCode);
        Assert.Equal(ConnectionStatus.Registered, (await account.Ask<ConnectionStateResult>(new GetState("alice"), Wait)).Status);
    }

    [Fact]
    public void Should_answer_the_challenge_as_the_auth_user_when_it_differs_from_the_user()
    {
        string? authorization = null;
        _registrar = new ScriptedRegistrar((request, n) =>
        {
            if (n == 1)
            {
                return new ScriptedAnswer(401, ("WWW-Authenticate", "Digest realm=\"example.test\", nonce=\"n1\", algorithm=MD5, qop=\"auth\""));
            }
            authorization = request.Headers.TryGetValue(Sip.Headers.SipHeaderId.Authorization, out var value) ? System.Text.Encoding.UTF8.GetString(value) : null;
            return new ScriptedAnswer(200);
        });
        var account = Account();

        account.Tell(new Connect("alice", Parameters() with { AuthUser = "auth-7731" }), TestActor);
        Expect<Registered>();

        Assert.Contains("username=\"auth-7731\"", authorization, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-alice", authorization, StringComparison.Ordinal);
    }
}
