using System.Net;
using SipActors.Sip.Registrar;
using SipActors.Sip.Transports;
using SipActors.Sip.UserAgents;

namespace SipActors.Sip.Tests.UserAgents;

/// <summary>A UDP connect needs the server to have answered: its own OPTIONS, or a recent answer to another account of the stack.</summary>
public sealed class UdpServerLivenessTests
{
    [Fact]
    public async Task Should_send_one_options_for_accounts_connecting_within_the_window()
    {
        await using var registrar = EmbeddedRegistrar.Start();
        await using var stack = new SipStack();

        await Agent(stack, registrar, "first").ConnectAsync();
        var udp = stack.GetUdpTransport(IPAddress.Loopback);
        var afterFirst = udp.DatagramsSent;
        await Agent(stack, registrar, "second").ConnectAsync();
        await Agent(stack, registrar, "third").ConnectAsync();

        Assert.Equal(1, afterFirst);
        Assert.Equal(afterFirst, udp.DatagramsSent);
        Assert.True(stack.UdpServerAnsweredRecently(registrar.UdpEndPoint));
    }

    [Fact]
    public async Task Should_send_an_options_per_connect_when_the_window_is_zero()
    {
        await using var registrar = EmbeddedRegistrar.Start();
        await using var stack = new SipStack { UdpServerLivenessWindow = TimeSpan.Zero };

        await Agent(stack, registrar, "first").ConnectAsync();
        await Agent(stack, registrar, "second").ConnectAsync();

        Assert.Equal(2, stack.GetUdpTransport(IPAddress.Loopback).DatagramsSent);
    }

    [Fact]
    public async Task Should_not_vouch_for_a_server_that_never_answered()
    {
        await using var stack = new SipStack();
        var silent = new IPEndPoint(IPAddress.Loopback, 9);

        Assert.False(stack.UdpServerAnsweredRecently(silent));
        stack.NoteUdpServerAnswered(silent);
        Assert.True(stack.UdpServerAnsweredRecently(silent));
    }

    private static SipUserAgent Agent(SipStack stack, EmbeddedRegistrar registrar, string user)
    {
        SipServerTarget.TryParse($"udp://{registrar.UdpEndPoint}", out var target, out _);
        return new SipUserAgent(stack, new SipUserAgentOptions { User = user, Domain = registrar.Domain, Target = target!, Password = "pw-" + user });
    }
}
