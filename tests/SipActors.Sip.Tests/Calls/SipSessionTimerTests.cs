using System.Text;
using SipActors.Sip.Calls;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Tests.Calls;

/// <summary>RFC 4028 negotiation without a network: the headers it reads and writes, the deadlines it sets, the options that feed it.</summary>
public sealed class SipSessionTimerTests
{
    private static readonly SipCallOptions Timers = new() { SessionTimers = true };

    [Theory]
    [InlineData("1800", 1800, null)]
    [InlineData("1800;refresher=uac", 1800, SipSessionRefresher.Uac)]
    [InlineData(" 90 ; refresher=UAS ", 90, SipSessionRefresher.Uas)]
    [InlineData("4000;x=1;refresher=uas", 4000, SipSessionRefresher.Uas)]
    [InlineData("1800;refresher=proxy", 1800, null)]
    [InlineData("99999999999", int.MaxValue, null)]
    public void Should_read_session_expires(string value, int seconds, SipSessionRefresher? refresher)
    {
        Assert.True(SipSessionExpires.TryParse(Encoding.ASCII.GetBytes(value), out var parsed));
        Assert.Equal(new SipSessionExpires(seconds, refresher), parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0")]
    [InlineData("soon")]
    [InlineData("1800 seconds")]
    [InlineData("-5")]
    public void Should_refuse_a_malformed_session_expires(string value)
    {
        Assert.False(SipSessionExpires.TryParse(Encoding.ASCII.GetBytes(value), out _));
        Assert.Throws<SipParseException>(() => SipSessionExpires.Parse(Encoding.ASCII.GetBytes(value)));
    }

    [Fact]
    public void Should_write_session_expires_and_min_se_as_rfc4028_spells_them()
    {
        Assert.Equal("1800", new SipSessionExpires(1800).ToString());
        Assert.Equal("90;refresher=uac", new SipSessionExpires(90, SipSessionRefresher.Uac).ToString());
        Assert.Equal("120;refresher=uas", new SipSessionExpires(120, SipSessionRefresher.Uas).ToString());
        Assert.True(SipMinSE.TryParse("90;lr"u8, out var min));
        Assert.Equal("90", min.ToString());
    }

    [Fact]
    public void Should_find_an_option_tag_in_any_line_and_any_case()
    {
        var request = Invite((SipHeaderId.Supported, "100rel, path"), (SipHeaderId.Supported, "TIMER"), (SipHeaderId.Require, "100rel"));

        Assert.True(SipOptionTags.Contains(request, SipHeaderId.Supported, SipOptionTags.Timer));
        Assert.False(SipOptionTags.Contains(request, SipHeaderId.Require, SipOptionTags.Timer));
        Assert.False(SipOptionTags.Contains(request, SipHeaderId.Supported, "time"));
    }

    [Fact]
    public void Should_default_to_timers_off_with_the_rfc_floor_and_refuse_intervals_under_a_second()
    {
        var options = new SipCallOptions();

        Assert.False(options.SessionTimers);
        Assert.Equal(TimeSpan.FromSeconds(1800), options.SessionExpires);
        Assert.Equal(TimeSpan.FromSeconds(90), options.MinSessionExpires);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipCallOptions { SessionExpires = TimeSpan.FromMilliseconds(500) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SipCallOptions { MinSessionExpires = TimeSpan.Zero });
    }

    [Fact]
    public void Should_ask_for_the_configured_interval_raised_to_the_floor_and_leave_the_refresher_open()
    {
        var timer = new SipSessionTimer(Timers with { SessionExpires = TimeSpan.FromSeconds(30), MinSessionExpires = TimeSpan.FromSeconds(60.5) });
        var invite = new SipRequest(SipMethod.Invite, "sip:bob@127.0.0.1");

        timer.AddTo(invite);

        Assert.Equal("61", invite.Headers.GetFirst(SipHeaderId.SessionExpires));
        Assert.Equal("61", invite.Headers.GetFirst(SipHeaderId.MinSE));
        Assert.Equal("timer", invite.Headers.GetFirst(SipHeaderId.Supported));
    }

    [Fact]
    public void Should_raise_to_a_422_floor_once_it_is_above_what_was_asked()
    {
        var timer = new SipSessionTimer(Timers);

        Assert.False(timer.RaiseFrom422(Response(422)));
        Assert.False(timer.RaiseFrom422(Response(422, (SipHeaderId.MinSE, "1800"))));
        Assert.True(timer.RaiseFrom422(Response(422, (SipHeaderId.MinSE, "3600"))));
        Assert.Equal((3600, 3600), (timer.Requested, timer.MinSE));
    }

    [Theory]
    [InlineData("1800;refresher=uac", 1800, true)]
    [InlineData("1800", 1800, true)]
    [InlineData("600;refresher=uas", 600, false)]
    [InlineData(null, 0, false)]
    public void Should_take_interval_and_refresher_from_the_2xx_to_our_request(string? sessionExpires, int interval, bool refresher)
    {
        var timer = new SipSessionTimer(Timers);

        timer.OnAnswer(sessionExpires is null ? Response(200) : Response(200, (SipHeaderId.SessionExpires, sessionExpires)));

        Assert.Equal((interval, refresher), (timer.Interval, timer.LocalRefresher));
    }

    [Fact]
    public void Should_keep_the_running_interval_and_refresher_in_a_refresh()
    {
        var timer = new SipSessionTimer(Timers);
        timer.OnAnswer(Response(200, (SipHeaderId.SessionExpires, "600;refresher=uas")));
        var refresh = new SipRequest(SipMethod.Invite, "sip:bob@127.0.0.1");

        timer.AddTo(refresh);

        Assert.Equal("600;refresher=uas", refresh.Headers.GetFirst(SipHeaderId.SessionExpires));
    }

    [Fact]
    public void Should_take_over_the_refreshes_when_the_peer_without_timers_reinvites_a_running_session()
    {
        var timer = new SipSessionTimer(Timers);
        var invite = Invite((SipHeaderId.SessionExpires, "1800"));
        var ok = Response(200);
        timer.Apply(timer.Evaluate(invite), invite, ok);
        Assert.Equal((1800, true), (timer.Interval, timer.LocalRefresher));

        var reinvite = Invite();
        var decision = timer.Evaluate(reinvite);

        Assert.Equal(new SipSessionExpires(1800, SipSessionRefresher.Uas), decision.Answer);
        Assert.False(decision.RequireTimer);
    }

    [Fact]
    public void Should_run_no_timer_for_a_peer_that_neither_supports_nor_asks()
    {
        var timer = new SipSessionTimer(Timers);
        var invite = Invite();
        var ok = Response(200);

        timer.Apply(timer.Evaluate(invite), invite, ok);

        Assert.Equal(0, timer.Interval);
        Assert.False(ok.Headers.Contains(SipHeaderId.SessionExpires));
        Assert.False(ok.Headers.Contains(SipHeaderId.Require));
    }

    [Theory]
    [InlineData(1800, false, 1768)] // less 32 s
    [InlineData(90, false, 60)] // less a third
    [InlineData(2, false, 4.0 / 3)]
    [InlineData(1800, true, 1800)] // the refresher's own deadline is the whole interval
    public void Should_give_up_before_the_peer_does_unless_refreshing(int interval, bool refresher, double expirySeconds)
    {
        var timer = new SipSessionTimer(Timers);
        timer.OnAnswer(Response(200, (SipHeaderId.SessionExpires, new SipSessionExpires(interval, refresher ? SipSessionRefresher.Uac : SipSessionRefresher.Uas).ToString())));

        Assert.Equal(expirySeconds, timer.ExpiryDelay.TotalSeconds, precision: 6);
        Assert.Equal(interval / 2.0, timer.RefreshDelay.TotalSeconds, precision: 6);
    }

    private static SipRequest Invite(params (SipHeaderId Id, string Value)[] headers)
    {
        var request = new SipRequest(SipMethod.Invite, "sip:bob@127.0.0.1");
        foreach (var (id, value) in headers)
        {
            request.Headers.Add(id, value);
        }
        return (SipRequest)SipMessage.Parse(request.ToArray());
    }

    private static SipResponse Response(int status, params (SipHeaderId Id, string Value)[] headers)
    {
        var response = new SipResponse(status);
        foreach (var (id, value) in headers)
        {
            response.Headers.Add(id, value);
        }
        return response;
    }
}
