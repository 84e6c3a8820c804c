using System.Text;
using Microsoft.Extensions.Time.Testing;
using SipActors.Sip.Headers;
using SipActors.Sip.Registrar;
using SipActors.Sip.Tests.TestData;
using SipActors.Sip.Transports;

namespace SipActors.Sip.Tests.Registrar;

/// <summary>The bindings store on a fake clock: expiry, Min-Expires, Call-ID/CSeq ordering (RFC 3261 §10.3), flows.</summary>
public sealed class LocationServiceTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly RecordingChannel _flow = new(SipTransportKind.Tcp);
    private readonly LocationService _locations;
    private readonly List<(string User, string Contact, int Expires)> _changes = [];

    public LocationServiceTests() => _locations = new LocationService(_time, minExpires: 60, maxExpires: 3600);

    private static SipNameAddress Contact(string value) => SipNameAddress.Parse(Encoding.UTF8.GetBytes(value));

    private BindingUpdate Register(string user, uint cseq, int? expires, params string[] contacts)
        => Register(user, "call-1", cseq, expires, _flow, contacts);

    private BindingUpdate Register(string user, string callId, uint cseq, int? expires, SipChannel flow, params string[] contacts)
        => _locations.Update(user, callId, cseq, expires, wildcard: contacts is ["*"],
            [.. contacts.Select(c => c == "*" ? SipNameAddress.Wildcard : Contact(c))], flow, (u, c, e) => _changes.Add((u, c, e)));

    [Fact]
    public void Should_bind_a_contact_for_its_expiry_and_report_it()
    {
        var update = Register("alice", 1, 300, "<sip:alice@127.0.0.1:5070>");

        Assert.Equal(BindingUpdateStatus.Ok, update.Status);
        var (binding, expires) = Assert.Single(update.Bindings);
        Assert.Equal((300, "sip:alice@127.0.0.1:5070", "call-1", 1u), (expires, binding.ContactUri, binding.CallId, binding.CSeq));
        Assert.Equal(_time.GetUtcNow().AddSeconds(300), binding.ExpiresAt);
        Assert.Equal([("alice", "sip:alice@127.0.0.1:5070", 300)], _changes);
        Assert.Equal(1, _locations.RegisteredUsers);
    }

    [Fact]
    public void Should_take_a_contact_expires_over_the_header_default_to_3600_and_cut_to_the_maximum()
    {
        var own = Register("alice", 1, 300, "<sip:alice@127.0.0.1:5070>;expires=120");
        var none = Register("bob", 1, null, "<sip:bob@127.0.0.1:5071>");
        var tooLong = Register("carol", 1, 7200, "<sip:carol@127.0.0.1:5072>");
        var longest = new LocationService(_time, 60, 600).Update("dave", "c", 1, null, false, [Contact("<sip:dave@127.0.0.1>")], _flow);

        Assert.Equal(120, Assert.Single(own.Bindings).Expires);
        Assert.Equal(LocationService.DefaultExpires, Assert.Single(none.Bindings).Expires);
        Assert.Equal(3600, Assert.Single(tooLong.Bindings).Expires);
        Assert.Equal(600, Assert.Single(longest.Bindings).Expires);
    }

    [Fact]
    public void Should_refuse_less_than_min_expires_but_take_zero_as_removal()
    {
        Register("alice", 1, 300, "<sip:alice@127.0.0.1:5070>");

        var brief = Register("alice", 2, 59, "<sip:alice@127.0.0.1:5070>");
        var still = _locations.GetBindings("alice");
        var removed = Register("alice", 3, 0, "<sip:alice@127.0.0.1:5070>");

        Assert.Equal(BindingUpdateStatus.IntervalTooBrief, brief.Status);
        Assert.Single(still);
        Assert.Equal(BindingUpdateStatus.Ok, removed.Status);
        Assert.Empty(removed.Bindings);
        Assert.Empty(_locations.GetBindings("alice"));
        Assert.Equal(("alice", 0), (_changes[^1].User, _changes[^1].Expires));
    }

    [Fact]
    public void Should_refuse_a_CSeq_not_above_the_bindings_within_one_Call_ID_only()
    {
        Register("alice", 5, 300, "<sip:alice@127.0.0.1:5070>");

        var replayed = Register("alice", 5, 300, "<sip:alice@127.0.0.1:5070>");
        var older = Register("alice", 4, 300, "<sip:alice@127.0.0.1:5070>");
        var newer = Register("alice", 6, 300, "<sip:alice@127.0.0.1:5070>");
        var otherCall = Register("alice", "call-2", 1, 300, _flow, "<sip:alice@127.0.0.1:5070>");

        Assert.Equal(BindingUpdateStatus.OutOfOrder, replayed.Status);
        Assert.Equal(BindingUpdateStatus.OutOfOrder, older.Status);
        Assert.Equal(BindingUpdateStatus.Ok, newer.Status);
        Assert.Equal(BindingUpdateStatus.Ok, otherCall.Status); // §10.3 step 7: another Call-ID replaces the binding whatever its CSeq
        Assert.Equal(("call-2", 1u), (Assert.Single(_locations.GetBindings("alice")).CallId, _locations.GetBindings("alice")[0].CSeq));
    }

    [Fact]
    public void Should_key_a_binding_by_instance_and_reg_id_when_both_are_there()
    {
        Register("alice", 1, 300, "<sip:alice@127.0.0.1:5070;transport=tcp>;+sip.instance=\"<urn:uuid:1>\";reg-id=1");
        Register("alice", 2, 300, "<sip:alice@127.0.0.1:6000;transport=tcp>;+sip.instance=\"<urn:uuid:1>\";reg-id=1");
        Register("alice", 3, 300, "<sip:alice@127.0.0.1:6001>");
        Register("alice", 4, 300, "<sip:alice@127.0.0.1:6002>");

        var bindings = _locations.GetBindings("alice");

        Assert.Equal(3, bindings.Count); // the flow's binding moved to its new address; the two URI-keyed ones are apart
        Assert.Contains(bindings, b => b.ContactUri == "sip:alice@127.0.0.1:6000;transport=tcp" && b.Instance == "<urn:uuid:1>" && b.RegId == "1");
        Assert.DoesNotContain(bindings, b => b.ContactUri.Contains(":5070", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_clear_every_binding_on_a_wildcard_with_expires_zero_and_refuse_other_wildcards()
    {
        Register("alice", 1, 300, "<sip:alice@127.0.0.1:5070>", "<sip:alice@127.0.0.1:5071>");

        var withExpiry = Register("alice", 2, 300, "*");
        var mixed = _locations.Update("alice", "call-1", 3, 0, wildcard: true, [SipNameAddress.Wildcard, Contact("<sip:alice@127.0.0.1:5072>")], _flow);
        var kept = _locations.GetBindings("alice").Count;
        var cleared = Register("alice", 4, 0, "*");

        Assert.Equal(BindingUpdateStatus.InvalidWildcard, withExpiry.Status);
        Assert.Equal(BindingUpdateStatus.InvalidWildcard, mixed.Status);
        Assert.Equal(2, kept);
        Assert.Equal(BindingUpdateStatus.Ok, cleared.Status);
        Assert.Empty(_locations.GetBindings("alice"));
        Assert.Equal(0, _locations.RegisteredUsers);
    }

    [Fact]
    public void Should_keep_the_contacts_applied_before_one_that_fails()
    {
        var update = Register("alice", 1, 300, "<sip:alice@127.0.0.1:5070>", "<sip:alice@127.0.0.1:5071>;expires=10");

        Assert.Equal(BindingUpdateStatus.IntervalTooBrief, update.Status);
        Assert.Equal("sip:alice@127.0.0.1:5070", Assert.Single(_locations.GetBindings("alice")).ContactUri);
        Assert.Single(_changes);
    }

    [Fact]
    public void Should_let_bindings_expire_with_the_clock_and_sweep_them()
    {
        Register("alice", 1, 300, "<sip:alice@127.0.0.1:5070>");
        Register("alice", 2, 120, "<sip:alice@127.0.0.1:5071>");

        _time.Advance(TimeSpan.FromSeconds(100));
        var later = Register("alice", 3, 300, "<sip:alice@127.0.0.1:5070>");
        _time.Advance(TimeSpan.FromSeconds(20));
        var afterShort = _locations.GetBindings("alice").Count;
        _time.Advance(TimeSpan.FromSeconds(300));
        var beforeSweep = _locations.RegisteredUsers;
        _locations.RemoveExpired();

        Assert.Equal([20, 300], later.Bindings.Select(b => b.Expires).Order());
        Assert.Equal(1, afterShort);
        Assert.Equal(1, beforeSweep); // expired but not yet swept
        Assert.Equal(0, _locations.RegisteredUsers);
        Assert.Empty(_locations.GetBindings("alice"));
    }

    [Fact]
    public void Should_find_the_flow_of_the_newest_live_binding_while_it_is_open()
    {
        var first = new RecordingChannel(SipTransportKind.Tcp);
        var second = new RecordingChannel(SipTransportKind.Ws);
        Register("alice", "call-1", 1, 300, first, "<sip:alice@127.0.0.1:5070>");
        Register("alice", "call-2", 1, 600, second, "<sip:alice@h.invalid;transport=ws>");

        var found = _locations.TryFindFlow("alice", out var contact, out var flow);
        second.Lose(null);
        var afterLoss = _locations.TryFindFlow("alice", out _, out _);
        var unknown = _locations.TryFindFlow("nobody", out _, out _);

        Assert.True(found);
        Assert.Same(second, flow);
        Assert.Equal("sip:alice@h.invalid;transport=ws", contact);
        Assert.False(afterLoss); // the newest binding's flow is gone: nothing to send on
        Assert.False(unknown);
    }

    [Fact]
    public void Should_find_no_flow_once_the_binding_expired()
    {
        Register("alice", 1, 300, "<sip:alice@127.0.0.1:5070>");

        _time.Advance(TimeSpan.FromSeconds(300));

        Assert.False(_locations.TryFindFlow("alice", out _, out _));
    }
}
