using SipActors.Sip.Calls;
using SipActors.Sip.Headers;
using SipActors.Sip.Tests.TestData;

namespace SipActors.Sip.Tests.Calls;

/// <summary>
/// Requests of a peer that a test writes by hand and feeds straight to the stack (its responses
/// land on a <see cref="RecordingChannel"/>). Its Contact is alice's address, so the requests bob
/// sends it travel through the registrar to alice's account, which records them as strays.
/// </summary>
internal static class ScriptedPeer
{
    public const string From = "<sip:alice@127.0.0.1>;tag=peer";

    /// <summary>An INVITE to bob opening the dialog <paramref name="callId"/>.</summary>
    public static SipMessage Invite(string callId, params (SipHeaderId Id, string Value)[] extra)
    {
        var invite = new SipRequest(SipMethod.Invite, "sip:bob@127.0.0.1");
        AddDialogHeaders(invite, "INVITE", From, "<sip:bob@127.0.0.1>", callId, 1, "z9hG4bK.inv-" + callId);
        invite.Headers.Add(SipHeaderId.Contact, "<sip:alice@127.0.0.1:5999>");
        AddAll(invite, extra);
        return SipMessage.Parse(invite.ToArray());
    }

    /// <summary>A request inside the dialog <see cref="Invite"/> opened and <paramref name="callee"/> answered.</summary>
    public static SipMessage InDialog(string method, SipCall callee, uint cseq, params (SipHeaderId Id, string Value)[] extra)
    {
        var request = new SipRequest(method, "sip:bob@127.0.0.1");
        AddDialogHeaders(request, method, From, "<sip:bob@127.0.0.1>;tag=" + callee.Dialog!.LocalTag, callee.CallId, cseq,
            $"z9hG4bK.{method.ToLowerInvariant()}-{callee.CallId}-{cseq}");
        AddAll(request, extra);
        return SipMessage.Parse(request.ToArray());
    }

    /// <summary>A request posing as the caller of <paramref name="calleeDialog"/> (a real call), sent around it.</summary>
    public static SipMessage Impersonate(string method, SipDialog calleeDialog, uint cseq, string branch)
    {
        var request = new SipRequest(method, "sip:bob@127.0.0.1");
        AddDialogHeaders(request, method, calleeDialog.RemoteParty, calleeDialog.LocalParty, calleeDialog.CallId, cseq, branch);
        return SipMessage.Parse(request.ToArray());
    }

    public static List<SipResponse> Responses(RecordingChannel channel, int status)
    {
        lock (channel.Sent)
        {
            return [.. channel.Sent.OfType<SipResponse>().Where(r => r.StatusCode == status)];
        }
    }

    private static void AddAll(SipRequest request, (SipHeaderId Id, string Value)[] headers)
    {
        foreach (var (id, value) in headers)
        {
            request.Headers.Add(id, value);
        }
    }

    private static void AddDialogHeaders(SipRequest request, string method, string from, string to, string callId, uint cseq, string branch)
    {
        request.Headers.Add(SipHeaderId.Via, $"SIP/2.0/UDP 127.0.0.1:5999;branch={branch}");
        request.Headers.Add(SipHeaderId.MaxForwards, "70");
        request.Headers.Add(SipHeaderId.From, from);
        request.Headers.Add(SipHeaderId.To, to);
        request.Headers.Add(SipHeaderId.CallId, callId);
        request.Headers.Add(SipHeaderId.CSeq, $"{cseq} {method}");
    }
}
