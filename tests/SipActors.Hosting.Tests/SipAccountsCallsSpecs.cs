using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using SipActors.Connections;
using SipActors.Events;
using SipActors.Hosting.Events;
using SipActors.Sip.Registrar;

namespace SipActors.Hosting.Tests;

/// <summary>
/// Calls between two configured accounts of one host through the embedded registrar, driven by
/// <see cref="ISipAccounts"/> and observed through <see cref="ISipEvents"/>: bob auto-answers,
/// alice rings.
/// </summary>
public sealed class SipAccountsCallsSpecs : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly EmbeddedRegistrar _registrar = EmbeddedRegistrar.Start();
    private IHost _host = null!;
    private ISipAccounts _accounts = null!;
    private SipEventSubscription _sessions = null!;
    private SipEventSubscription _everything = null!;

    public async Task InitializeAsync()
    {
        _host = TestHost.Build(o =>
        {
            o.Accounts.Add(TestHost.Account(_registrar, "alice"));
            var bob = TestHost.Account(_registrar, "bob");
            bob.IncomingCalls = "auto-answer";
            o.Accounts.Add(bob);
        });
        var events = _host.Services.GetRequiredService<ISipEvents>();
        _sessions = events.Subscribe(SessionTopics.All);
        _everything = events.Subscribe(ConnectionTopics.Everything);
        await using var registered = events.Subscribe(ConnectionTopics.Registered);
        await _host.StartAsync();
        await WithSipActorsSpecs.ReadDistinctAccountsAsync(registered, 2);
        _accounts = _host.Services.GetRequiredService<ISipAccounts>();
    }

    public async Task DisposeAsync()
    {
        await _sessions.DisposeAsync();
        await _everything.DisposeAsync();
        await _host.StopAsync();
        _host.Dispose();
        await _registrar.DisposeAsync();
    }

    private string Aor(string user) => $"sip:{user}@{_registrar.Domain}";

    [Fact]
    public async Task Should_place_a_call_that_is_auto_answered_and_hang_it_up()
    {
        // Act
        var placed = await _accounts.PlaceCallAsync("alice", Aor("bob"), timeout: Timeout);

        // Assert: placed, then answered and confirmed on both sides
        Assert.True(placed.Status == CommandStatus.Ok, placed.Error);
        var session = Assert.IsType<Calls.CallSession>(placed.Session);
        Assert.Equal(("alice", "local", Aor("bob")), (session.Account.Value, session.Originator, session.To));
        var up = await ReadSessionsAsync(session.CallId,
            alice: [SessionTopics.Answered, SessionTopics.Confirmed],
            bob: [SessionTopics.Answered, SessionTopics.Confirmed]);
        Assert.Equal(("remote", "local"), (((SessionAnswered)up.Alice[0]).Originator, ((SessionAnswered)up.Bob[0]).Originator));
        Assert.Equal([session.CallId], (await _accounts.GetCallsAsync("alice", Timeout)).Select(c => c.CallId));
        var incoming = Assert.Single(await _accounts.GetCallsAsync("bob", Timeout));
        Assert.Equal((session.CallId, "remote"), (incoming.CallId, incoming.Originator));

        // Act: hang up
        var hungUp = await _accounts.HangUpCallAsync("alice", session.CallId, Timeout);

        // Assert: ended on both sides, the calls gone, the handle's Call-ID no longer known
        Assert.Equal(CommandStatus.Ok, hungUp.Status);
        var ended = await ReadSessionsAsync(session.CallId, alice: [SessionTopics.Ended], bob: [SessionTopics.Ended]);
        Assert.Equal(("local", SessionEndCauses.Terminated), (((SessionEnded)ended.Alice[0]).Originator, ((SessionEnded)ended.Alice[0]).Cause));
        Assert.Equal(("remote", SessionEndCauses.Terminated), (((SessionEnded)ended.Bob[0]).Originator, ((SessionEnded)ended.Bob[0]).Cause));
        await TestHost.AwaitConditionAsync(
            async () => (await _accounts.GetCallsAsync("alice", Timeout)).Count == 0 && (await _accounts.GetCallsAsync("bob", Timeout)).Count == 0,
            Timeout, "both session actors stopped after the call ended");
        var stale = await _accounts.HangUpCallAsync("alice", session.CallId, Timeout);
        Assert.Equal(CommandStatus.Failed, stale.Status);
        Assert.Contains(session.CallId, stale.Error, StringComparison.Ordinal);

        // Assert: "*" carried the newRTCSession of each side ahead of its session:* steps
        var all = await WithSipActorsSpecs.ReadUntilAsync(_everything, e => e.Count(x => x is SessionEnded) == 2);
        foreach (var account in new[] { "alice", "bob" })
        {
            Assert.Equal(
                [ConnectionTopics.NewRtcSession, SessionTopics.Answered, SessionTopics.Confirmed, SessionTopics.Ended],
                all.Where(e => e.Account.Value == account && e is NewRtcSession or SessionEvent).Select(e => e.Topic));
        }
    }

    [Fact]
    public async Task Should_answer_and_reject_a_ringing_call_by_its_call_id()
    {
        // Arrange: bob calls alice, who rings
        var first = await _accounts.PlaceCallAsync("bob", Aor("alice"), timeout: Timeout);
        Assert.True(first.IsSuccess, first.Error);
        var callId = first.Session!.CallId;
        await ReadSessionsAsync(callId, alice: [SessionTopics.Ringing], bob: [SessionTopics.Ringing]);
        Assert.Single(await _accounts.GetCallsAsync("alice", Timeout));

        // Act: answer, then the callee hangs up
        Assert.Equal(CommandStatus.Ok, (await _accounts.AnswerCallAsync("alice", callId, "v=0\r\nm=audio 5000 RTP/AVP 0\r\n", Timeout)).Status);
        var answered = await ReadSessionsAsync(callId, alice: [SessionTopics.Answered, SessionTopics.Confirmed], bob: [SessionTopics.Answered, SessionTopics.Confirmed]);
        Assert.Contains("m=audio 5000", ((SessionAnswered)answered.Bob[0]).RemoteSdp, StringComparison.Ordinal);
        Assert.Equal(CommandStatus.Ok, (await _accounts.HangUpCallAsync("alice", callId, Timeout)).Status);
        var ended = await ReadSessionsAsync(callId, alice: [SessionTopics.Ended], bob: [SessionTopics.Ended]);
        Assert.Equal("remote", ((SessionEnded)ended.Bob[0]).Originator);

        // Act: a second call, rejected
        var second = await _accounts.PlaceCallAsync("bob", Aor("alice"), timeout: Timeout);
        var secondId = second.Session!.CallId;
        await ReadSessionsAsync(secondId, alice: [SessionTopics.Ringing], bob: [SessionTopics.Ringing]);
        Assert.Equal(CommandStatus.Ok, (await _accounts.RejectCallAsync("alice", secondId, 603, Timeout)).Status);

        // Assert
        var rejected = await ReadSessionsAsync(secondId, alice: [SessionTopics.Ended], bob: [SessionTopics.Ended]);
        var callerEnd = (SessionEnded)rejected.Bob[0];
        Assert.Equal((SessionEndCauses.Rejected, 603, "remote"), (callerEnd.Cause, callerEnd.StatusCode, callerEnd.Originator));
    }

    [Fact]
    public async Task Should_answer_call_commands_for_an_unknown_account_without_throwing()
    {
        Assert.Empty(await _accounts.GetCallsAsync("nobody", Timeout));
        var placed = await _accounts.PlaceCallAsync("nobody", Aor("bob"), timeout: Timeout);
        Assert.Equal(CommandStatus.Failed, placed.Status);
        Assert.Contains("'nobody' is not known", placed.Error, StringComparison.Ordinal);
        Assert.Equal(CommandStatus.Failed, (await _accounts.AnswerCallAsync("alice", "no-such-call", timeout: Timeout)).Status);
    }

    [Fact]
    public async Task Should_throw_a_timeout_naming_the_call_command_and_account()
    {
        // A deadline already spent: the supervisor cannot answer in time, however fast.
        var error = await Assert.ThrowsAsync<TimeoutException>(() => _accounts.PlaceCallAsync("alice", Aor("bob"), timeout: TimeSpan.FromTicks(1)));

        Assert.Contains("Call for account 'alice'", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// Reads <c>session:*</c> until each account has the given topics for <paramref name="callId"/>,
    /// in order; steps of other calls are skipped (a previous call's late steps never fail a test).
    /// </summary>
    private async Task<(List<SessionEvent> Alice, List<SessionEvent> Bob)> ReadSessionsAsync(string callId, string[] alice, string[] bob)
    {
        var seen = (Alice: new List<SessionEvent>(), Bob: new List<SessionEvent>());
        using var timeout = new CancellationTokenSource(Timeout);
        try
        {
            while (seen.Alice.Count < alice.Length || seen.Bob.Count < bob.Length)
            {
                if (await _sessions.ReadAsync(timeout.Token) is not SessionEvent e || e.CallId != callId)
                {
                    continue;
                }
                var (list, expected) = e.Account.Value == "alice" ? (seen.Alice, alice) : (seen.Bob, bob);
                list.Add(e);
                Assert.True(list.Count <= expected.Length && e.Topic == expected[list.Count - 1],
                    $"{e.Account}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", list.Select(x => x.Topic))}]");
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Not within {Timeout.TotalSeconds} s: alice [{string.Join(", ", seen.Alice.Select(x => x.Topic))}], bob [{string.Join(", ", seen.Bob.Select(x => x.Topic))}]");
        }
        return seen;
    }
}
