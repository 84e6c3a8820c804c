using SipActors.Sip.Calls;
using SipActors.Sip.Headers;

namespace SipActors.Sip.Tests.Calls;

public sealed class SipDialogTests
{
    private const string Via = "SIP/2.0/UDP 127.0.0.1:40000";

    private static SipRequest Invite(uint cseq = 3)
    {
        var invite = new SipRequest(SipMethod.Invite, "sip:bob@example.com");
        invite.Headers.Add(SipHeaderId.Via, "SIP/2.0/UDP 127.0.0.1:40000;branch=z9hG4bK.d1");
        invite.Headers.Add(SipHeaderId.RecordRoute, "<sip:p1.example.com;lr>");
        invite.Headers.Add(SipHeaderId.RecordRoute, "<sip:p2.example.com;lr>");
        invite.Headers.Add(SipHeaderId.From, "\"Alice\" <sip:alice@example.com>;tag=a1");
        invite.Headers.Add(SipHeaderId.To, "<sip:bob@example.com>");
        invite.Headers.Add(SipHeaderId.CallId, "dialog-call");
        invite.Headers.Add(SipHeaderId.CSeq, $"{cseq} INVITE");
        invite.Headers.Add(SipHeaderId.Contact, "<sip:alice@10.0.0.1:5070;transport=udp>");
        return SipMessage.Parse(invite.ToArray()) is SipRequest parsed ? parsed : throw new InvalidOperationException();
    }

    private static SipResponse Ok(SipRequest invite)
    {
        var ok = SipResponses.Create(invite, 200, toTag: "b1");
        ok.Headers.Add(SipHeaderId.RecordRoute, "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>");
        ok.Headers.Add(SipHeaderId.Contact, "<sip:bob@10.0.0.2:5080;transport=udp>;expires=60");
        return (SipResponse)SipMessage.Parse(ok.ToArray());
    }

    [Fact]
    public void Should_build_the_callers_dialog_from_the_2xx_with_the_route_set_reversed()
    {
        var invite = Invite();
        var dialog = SipDialog.FromResponse(invite, Ok(invite))!;

        Assert.True(dialog.IsCaller);
        Assert.Equal(("dialog-call", "a1", "b1"), (dialog.CallId, dialog.LocalTag, dialog.RemoteTag));
        Assert.Equal("sip:bob@10.0.0.2:5080;transport=udp", dialog.RemoteTarget);
        Assert.Equal(["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"], dialog.RouteSet);
        Assert.Equal(3u, dialog.LocalCSeq);
        Assert.Null(dialog.RemoteCSeq);
    }

    [Fact]
    public void Should_build_a_bye_to_the_remote_target_through_the_route_set_with_the_next_cseq()
    {
        var invite = Invite();
        var dialog = SipDialog.FromResponse(invite, Ok(invite))!;

        var bye = (SipRequest)SipMessage.Parse(dialog.CreateRequest(SipMethod.Bye, Via).ToArray());

        Assert.Equal("sip:bob@10.0.0.2:5080;transport=udp", bye.RequestUriText);
        Assert.Equal(["sip:p2.example.com;lr", "sip:p1.example.com;lr"], bye.Routes.Select(r => r.UriText));
        Assert.Equal(new SipCSeq(4, SipMethod.Bye), bye.CSeq);
        Assert.Equal("a1", bye.From!.Tag);
        Assert.Equal("b1", bye.To!.Tag);
        Assert.Equal("Alice", bye.From.DisplayName);
        Assert.Equal("dialog-call", bye.CallId);
        bye.Validate();
    }

    [Fact]
    public void Should_ack_a_2xx_with_the_invites_cseq_number_and_a_new_branch()
    {
        var invite = Invite(7);
        var dialog = SipDialog.FromResponse(invite, Ok(invite))!;

        var ack = dialog.CreateAck(7, Via);
        var again = dialog.CreateAck(7, Via);

        Assert.Equal(new SipCSeq(7, SipMethod.Ack), ack.CSeq);
        Assert.NotEqual(invite.TopVia!.Branch, ack.TopVia!.Branch);
        Assert.NotEqual(ack.TopVia.Branch, again.TopVia!.Branch);
        Assert.Equal(7u, dialog.LocalCSeq); // an ACK does not use up a number
        Assert.Throws<ArgumentException>(() => dialog.CreateRequest(SipMethod.Ack, Via));
    }

    [Fact]
    public void Should_build_the_callees_dialog_with_the_route_set_in_order_and_check_the_callers_cseq()
    {
        var invite = Invite(5);
        var dialog = SipDialog.FromRequest(invite, "b9")!;

        Assert.False(dialog.IsCaller);
        Assert.Equal("sip:alice@10.0.0.1:5070;transport=udp", dialog.RemoteTarget);
        Assert.Equal(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"], dialog.RouteSet);
        Assert.Equal("<sip:bob@example.com>;tag=b9", dialog.LocalParty);
        Assert.Equal(5u, dialog.RemoteCSeq);

        Assert.Equal(500, dialog.CheckRemoteCSeq(InDialog("BYE", 5)));
        Assert.Equal(500, dialog.CheckRemoteCSeq(InDialog("BYE", 4)));
        Assert.Equal(0, dialog.CheckRemoteCSeq(InDialog("ACK", 5)));
        Assert.Equal(0, dialog.CheckRemoteCSeq(InDialog("BYE", 6)));
        Assert.Equal(6u, dialog.RemoteCSeq);
    }

    [Fact]
    public void Should_put_a_strict_router_in_the_request_uri_and_the_remote_target_last()
    {
        var invite = new SipRequest(SipMethod.Invite, "sip:bob@example.com");
        invite.Headers.Add(SipHeaderId.From, "<sip:alice@example.com>;tag=a1");
        invite.Headers.Add(SipHeaderId.To, "<sip:bob@example.com>");
        invite.Headers.Add(SipHeaderId.CallId, "strict");
        invite.Headers.Add(SipHeaderId.CSeq, "1 INVITE");
        var ok = SipResponses.Create(invite, 200, toTag: "b1");
        ok.Headers.Add(SipHeaderId.RecordRoute, "<sip:strict.example.com>");
        ok.Headers.Add(SipHeaderId.Contact, "<sip:bob@10.0.0.2>");
        var dialog = SipDialog.FromResponse(invite, ok)!;

        var bye = dialog.CreateRequest(SipMethod.Bye, Via);

        Assert.Equal("sip:strict.example.com", bye.RequestUriText);
        Assert.Equal(["sip:bob@10.0.0.2"], bye.Routes.Select(r => r.UriText));
    }

    [Fact]
    public void Should_take_the_contact_of_a_target_refresh()
    {
        var invite = Invite();
        var dialog = SipDialog.FromResponse(invite, Ok(invite))!;
        var reinvite = InDialog("INVITE", 9);
        reinvite.Headers.Add(SipHeaderId.Contact, "<sip:bob@10.0.0.3:5090>");

        dialog.RefreshTarget(reinvite);

        Assert.Equal("sip:bob@10.0.0.3:5090", dialog.RemoteTarget);
    }

    private static SipRequest InDialog(string method, uint cseq)
    {
        var request = new SipRequest(method, "sip:bob@10.0.0.2");
        request.Headers.Add(SipHeaderId.CSeq, $"{cseq} {method}");
        return request;
    }
}
