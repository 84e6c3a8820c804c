using System.Text;

namespace SipActors.Sip.Tests.Conformance;

/// <summary>
/// The RFC 4475 torture messages, transcribed from the RFC's sections as test cases (line breaks
/// are CRLF; {CL} is replaced with the body's byte length; \uXXXX escapes stand for the RFC's
/// &lt;hex&gt; bytes, written as UTF-8 or, with {B:xx}, as raw bytes). Names are the RFC's file names.
/// </summary>
internal static class Rfc4475Messages
{
    public static byte[] Get(string name) => Build(Texts[name]);

    public static IEnumerable<string> Names => Texts.Keys;

    private static readonly string SdpBody =
        "v=0\no=mhandley 29739 7272939 IN IP4 192.0.2.3\ns=-\nc=IN IP4 192.0.2.4\nt=0 0\nm=audio 49217 RTP/AVP 0 12\nm=video 3227 RTP/AVP 31\na=rtpmap:31 LPC\n";

    private static readonly Dictionary<string, string> Texts = new()
    {
        // §3.1.1.1 A Short Tortuous INVITE
        ["wsinv"] =
            "INVITE sip:vivekg@chair-dnrc.example.com;unknownparam SIP/2.0\n" +
            "TO :\n sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n\n" +
            "from   : \"J Rosenberg \\\\\\\"\"       <sip:jdrosen@example.com>\n  ;\n  tag = 98asjd8\n" +
            "MaX-fOrWaRdS: 0068\n" +
            "Call-ID: wsinv.ndaksdj@192.0.2.1\n" +
            "Content-Length   : {CL}\n" +
            "cseq: 0009\n  INVITE\n" +
            "Via  : SIP  /   2.0\n /UDP\n    192.0.2.2;branch=390skdjuw\n" +
            "s :\n" +
            "NewFangledHeader:   newfangled value\n continued newfangled value\n" +
            "UnknownHeaderWithUnusualValue: ;;,,;;,;\n" +
            "Content-Type: application/sdp\n" +
            "Route:\n <sip:services.example.com;lr;unknownwith=value;unknown-no-value>\n" +
            "v:  SIP  / 2.0  / TCP     spindle.example.com   ;\n  branch  =   z9hG4bK9ikj8  ,\n SIP  /    2.0   / UDP  192.168.255.111   ; branch=\n z9hG4bK30239\n" +
            "m:\"Quoted string \\\"\\\"\" <sip:jdrosen@example.com> ; newparam =\n      newvalue ;\n  secondparam ; q = 0.33\n" +
            "\n" + SdpBody,

        // §3.1.1.2 Wide Range of Valid Characters
        ["intmeth"] =
            "!interesting-Method0123456789_*+`.%indeed'~ sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com SIP/2.0\n" +
            "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK-.!%66*_+`'~\n" +
            "To: \"BEL:\\{B:07} NUL:\\{B:00} DEL:\\{B:7F}\" <sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*@example.com>\n" +
            "From: token1~` token2'+_ token3*%!.- <sip:mundane@example.com>;fromParam''~+*_!.-%=\"\u0440\u0430\u0431\u043e\u0442\u0430\u044e\u0449\u0438\u0439\";tag=_token~1'+`*%!-.\n" +
            "Call-ID: intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{\n" +
            "CSeq: 139122385 !interesting-Method0123456789_*+`.%indeed'~\n" +
            "Max-Forwards: 255\n" +
            "extensionHeader-!.%*+_`'~:\uFEFF\u5927\u505C\u96FB\n" +
            "Content-Length: 0\n\n",

        // §3.1.1.3 Valid Use of the % Escaping Mechanism
        ["esc01"] =
            "INVITE sip:sips%3Auser%40example.com@example.net SIP/2.0\n" +
            "To: sip:%75se%72@example.com\n" +
            "From: <sip:I%20have%20spaces@example.net>;tag=938\n" +
            "Max-Forwards: 87\n" +
            "i: esc01.239409asdfakjkn23onasd0-3234\n" +
            "CSeq: 234234 INVITE\n" +
            "Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bKkdjuw\n" +
            "C: application/sdp\n" +
            "Contact:\n  <sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31>\n" +
            "Content-Length: {CL}\n\n" + SdpBody,

        // §3.1.1.4 Escaped Nulls in URIs
        ["escnull"] =
            "REGISTER sip:example.com SIP/2.0\n" +
            "To: sip:null-%00-null@example.com\n" +
            "From: sip:null-%00-null@example.com;tag=839923423\n" +
            "Max-Forwards: 70\n" +
            "Call-ID: escnull.39203ndfvkjdasfkq3w4otrq0adsfdfnavd\n" +
            "CSeq: 14398234 REGISTER\n" +
            "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\n" +
            "Contact: <sip:%00@host5.example.com>\n" +
            "Contact: <sip:%00%00@host5.example.com>\n" +
            "L:0\n\n",

        // §3.1.1.5 Use of % When It Is Not an Escape
        ["esc02"] =
            "RE%47IST%45R sip:registrar.example.com SIP/2.0\n" +
            "To: \"%Z%45\" <sip:resource@example.com>\n" +
            "From: \"%Z%45\" <sip:resource@example.com>;tag=f232jadfj23\n" +
            "Call-ID: esc02.asdfnqwo34rq23i34jrjasdcnl23nrlknsdf\n" +
            "Via: SIP/2.0/TCP host.example.com;rport;branch=z9hG4bK209asdjf\n" +
            "CSeq: 29344 RE%47IST%45R\n" +
            "Max-Forwards: 70\n" +
            "Contact: <sip:alias1@host1.example.com>\n" +
            "C%6Fntact: <sip:alias2@host2.example.com>\n" +
            "Contact: <sip:alias3@host3.example.com>\n" +
            "l: 0\n\n",

        // §3.1.1.6 Message with No LWS between Display Name and <
        ["lwsdisp"] =
            "OPTIONS sip:user@example.com SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: caller<sip:caller@example.com>;tag=323\n" +
            "Max-Forwards: 70\n" +
            "Call-ID: lwsdisp.1234abcd@funky.example.com\n" +
            "CSeq: 60 OPTIONS\n" +
            "Via: SIP/2.0/UDP funky.example.com;branch=z9hG4bKkdjuw\n" +
            "l: 0\n\n",

        // §3.1.1.7 Long Values in Header Fields
        ["longreq"] =
            "INVITE sip:user@example.com SIP/2.0\n" +
            "To: \"I have a user name of " + string.Concat(Enumerable.Repeat("extreme ", 10)) + "proportion\"<sip:user@example.com:6000;unknownparam1=very" + new string('l', 100) + "ongvalue;longparam" + new string('n', 80) + "name=shortvalue;very" + new string('l', 100) + "ongParamNameWithNoValue>\n" +
            "F: sip:amazinglylongcallername" + string.Concat(Enumerable.Repeat("long", 30)) + "@example.net;tag=12" + new string('9', 60) + "4;unknownheaderparam" + new string('l', 60) + "ongname=unknowheaderparam" + new string('l', 60) + "ongvalue;unknownValueless" + new string('l', 60) + "ongparametername\n" +
            "Call-ID: longreq.one" + string.Concat(Enumerable.Repeat("reallylong", 20)) + "callid\n" +
            "CSeq: 3882340 INVITE\n" +
            "Unknown-" + string.Concat(Enumerable.Repeat("Long", 30)) + "-Name: unknown-" + string.Concat(Enumerable.Repeat("long", 30)) + "-value; unknown-" + string.Concat(Enumerable.Repeat("long", 25)) + "-parameter-name = unknown-" + string.Concat(Enumerable.Repeat("long", 25)) + "-parameter-value\n" +
            string.Concat(Enumerable.Range(0, 7).Select(i => $"Via: SIP/2.0/TCP sip{i}.example.com:5060;branch=z9hG4bK{i}kdj{new string('a', 60)}\n")) +
            "Via: SIP/2.0/SCTP 192.0.2.1;branch=z9hG4bKsomething, SIP/2.0/UDP 192.0.2.2;branch=z9hG4bKsomethingelse, SIP/2.0/TLS 192.0.2.3;branch=z9hG4bKanother\n" +
            "Max-Forwards: 70\n" +
            "Contact: <sip:amazinglylongcallername" + string.Concat(Enumerable.Repeat("long", 30)) + "@host5.example.net>\n" +
            "Content-Type: application/sdp\n" +
            "l: {CL}\n\n" + SdpBody,

        // §3.1.1.8 Extra Trailing Octets in a UDP Datagram
        ["dblreq"] =
            "REGISTER sip:example.com SIP/2.0\n" +
            "To: sip:j.user@example.com\n" +
            "From: sip:j.user@example.com;tag=43251j3j324\n" +
            "Max-Forwards: 8\n" +
            "I: dblreq.0ha0isndaksdj99sdfafnl3lk233412\n" +
            "Contact: sip:j.user@host.example.com\n" +
            "CSeq: 8 REGISTER\n" +
            "Via: SIP/2.0/UDP 192.0.2.125;branch=z9hG4bKkdjuw23492\n" +
            "Content-Length: 0\n\n" +
            "INVITE sip:joe@example.com SIP/2.0\n" +
            "t: sip:joe@example.com\n" +
            "From: sip:caller@example.net;tag=141334\n" +
            "Max-Forwards: 8\n" +
            "Call-ID: dblreq.0ha0isnda977644900765@192.0.2.15\n" +
            "CSeq: 8 INVITE\n" +
            "Via: SIP/2.0/UDP 192.0.2.15;branch=z9hG4bKkdjuw380234\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: 150\n\n" + SdpBody,

        // §3.1.1.9 Semicolon-Separated Parameters in URI User Part
        ["semiuri"] =
            "OPTIONS sip:user;par=u%40example.net@example.com SIP/2.0\n" +
            "To: sip:j_user@example.com\n" +
            "From: sip:caller@example.org;tag=33242\n" +
            "Max-Forwards: 3\n" +
            "Call-ID: semiuri.0ha0isndaksdj\n" +
            "CSeq: 8 OPTIONS\n" +
            "Accept: application/sdp, application/pkcs7-mime,\n multipart/mixed, multipart/signed,\n message/sip, message/sipfrag\n" +
            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKkdjuw\n" +
            "l: 0\n\n",

        // §3.1.1.10 Varied and Unknown Transport Types
        ["transports"] =
            "OPTIONS sip:user@example.com SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: <sip:caller@example.com>;tag=323\n" +
            "Max-Forwards: 70\n" +
            "Call-ID:  transports.kijh4akdnaqjkwendsasfdj\n" +
            "Accept: application/sdp\n" +
            "CSeq: 60 OPTIONS\n" +
            "Via: SIP/2.0/UDP t1.example.com;branch=z9hG4bKkdjuw\n" +
            "Via: SIP/2.0/SCTP t2.example.com;branch=z9hG4bKklasjdhf\n" +
            "Via: SIP/2.0/TLS t3.example.com;branch=z9hG4bK2980unddj\n" +
            "Via: SIP/2.0/UNKNOWN t4.example.com;branch=z9hG4bKasd0f3en\n" +
            "Via: SIP/2.0/TCP t5.example.com;branch=z9hG4bK0a9idfnee\n" +
            "l: 0\n\n",

        // §3.1.1.11 Multipart MIME Message (binary body)
        ["mpart01"] =
            "MESSAGE sip:kumiko@example.org SIP/2.0\n" +
            "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bK-d87543-4dade06d0bdb11ee-1--d87543-;rport\n" +
            "Max-Forwards: 70\n" +
            "Route: <sip:127.0.0.1:5080>\n" +
            "Identity: r5mwreLuyDRYBi/0TiPwEsY3rEVsk/G2WxhgTV1PF7hHuLIK0YWVKZhKv9Mj8UeXqkMVbnVq37CD+813gvYjcBUaZngQmXc9WNZSDNGCzA+fWl9MEUHWIZo1CeJebdY/XlgKeTa0Olvq0rt70Q5jiSfbqMJmQFteeivUhkMWYUA=\n" +
            "Contact: <sip:fluffy@127.0.0.1:5070>\n" +
            "To: <sip:kumiko@example.org>\n" +
            "From: <sip:fluffy@example.com>;tag=2fb0dcc9\n" +
            "Call-ID: 3d9485ad0c49859b@Zmx1ZmZ5LW1hYy0xNi5sb2NhbA..\n" +
            "CSeq: 1 MESSAGE\n" +
            "Content-Transfer-Encoding: binary\n" +
            "Content-Type: multipart/mixed;boundary=7a9cbec02ceef655\n" +
            "Date: Sat, 15 Oct 2005 04:44:56 GMT\n" +
            "User-Agent: SIPimp.org/0.2.5 (curses)\n" +
            "Content-Length: {CL}\n\n" +
            "--7a9cbec02ceef655\nContent-Type: text/plain\nContent-Transfer-Encoding: binary\n\nHello\n" +
            "--7a9cbec02ceef655\nContent-Type: application/octet-stream\nContent-Transfer-Encoding: binary\n\n" +
            "{B:30}{B:82}{B:01}{B:52}{B:06}{B:09}{B:2A}{B:86}{B:48}{B:86}{B:F7}{B:0D}{B:01}{B:07}{B:02}{B:A0}{B:00}{B:0D}{B:0A}{B:FF}\n" +
            "--7a9cbec02ceef655--\n",

        // §3.1.1.12 Unusual Reason Phrase
        ["unreason"] =
            "SIP/2.0 200 = 2**3 * 5**2 \u043d\u043e \u0441\u0442\u043e \u0434\u0435\u0432\u044f\u043d\u043e\u0441\u0442\u043e \u0434\u0435\u0432\u044f\u0442\u044c - \u062b\u0644\u0627\u062b\u0629\n" +
            "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\n" +
            "Call-ID: unreason.1234ksdfak3j2erwedfsASdf\n" +
            "CSeq: 35 INVITE\n" +
            "From: sip:user@example.com;tag=11141343\n" +
            "To: sip:user@example.edu;tag=2229\n" +
            "Content-Length: {CL}\n" +
            "Content-Type: application/sdp\n" +
            "Contact: <sip:user@host198.example.com>\n\n" + SdpBody,

        // §3.1.1.13 Empty Reason Phrase
        ["noreason"] =
            "SIP/2.0 100 \n" +
            "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\n" +
            "Call-ID: noreason.asndj203insdf99223ndf\n" +
            "CSeq: 35 INVITE\n" +
            "From: <sip:user@example.com>;tag=39ansfi3\n" +
            "To: <sip:user@example.edu>;tag=902jndnke3\n" +
            "Content-Length: 0\n" +
            "Contact: <sip:user@host105.example.com>\n\n",

        // §3.1.2.1 Extraneous Header Field Separators
        ["badinv01"] =
            "INVITE sip:user@example.com SIP/2.0\n" +
            "To: sip:j.user@example.com\n" +
            "From: sip:caller@example.net;;tag=134161461246\n" +
            "Max-Forwards: 7\n" +
            "Call-ID: badinv01.0ha0isndaksdjasdf3234nas\n" +
            "CSeq: 8 INVITE\n" +
            "Via: SIP/2.0/UDP 192.0.2.15;;,;,,\n" +
            "Contact: \"Joe\" <sip:joe@example.org>;;;;\n" +
            "Content-Length: {CL}\n" +
            "Content-Type: application/sdp\n\n" + SdpBody,

        // §3.1.2.2 Content Length Larger Than Message
        ["clerr"] =
            "INVITE sip:user@example.com SIP/2.0\n" +
            "Max-Forwards: 80\n" +
            "To: sip:j.user@example.com\n" +
            "From: sip:caller@example.net;tag=93942939o2\n" +
            "Contact: <sip:caller@hungry.example.net>\n" +
            "Call-ID: clerr.0ha0isndaksdjweiafasdk3\n" +
            "CSeq: 8 INVITE\n" +
            "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bK-39234-23523\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: 9999\n\n" + SdpBody,

        // §3.1.2.3 Negative Content-Length
        ["ncl"] =
            "INVITE sip:user@example.com SIP/2.0\n" +
            "Max-Forwards: 254\n" +
            "To: sip:j.user@example.com\n" +
            "From: sip:caller@example.net;tag=32394234\n" +
            "Call-ID: ncl.0ha0isndaksdj2193423r542w35\n" +
            "CSeq: 0 INVITE\n" +
            "Via: SIP/2.0/UDP 192.0.2.53;branch=z9hG4bKkdjuw\n" +
            "Contact: <sip:caller@example53.example.net>\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: -999\n\n" + SdpBody,

        // §3.1.2.4 Request Scalar Fields with Overlarge Values
        ["scalar02"] =
            "REGISTER sip:example.com SIP/2.0\n" +
            "Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bK342sdfoi3\n" +
            "To: <sip:user@example.com>\n" +
            "From: <sip:user@example.com>;tag=239232jh3\n" +
            "CSeq: 36893488147419103232 REGISTER\n" +
            "Call-ID: scalar02.23o0pd9vanlq3wnrlnewofjas9ui32\n" +
            "Max-Forwards: 300\n" +
            "Expires: 1" + new string('0', 21) + "\n" +
            "Contact: <sip:user@host129.example.com>\n  ;expires=280297596632815\n" +
            "Content-Length: 0\n\n",

        // §3.1.2.5 Response Scalar Fields with Overlarge Values
        ["scalarlg"] =
            "SIP/2.0 503 Service Unavailable\n" +
            "Via: SIP/2.0/TCP host129.example.com;branch=z9hG4bKzzxdiwo34sw;received=192.0.2.129\n" +
            "To: <sip:user@example.com>\n" +
            "From: <sip:other@example.net>;tag=2easdjfejw\n" +
            "CSeq: 9292394834772304023312 OPTIONS\n" +
            "Call-ID: scalarlg.noase0of0234hn2qofoaf0232aewf2394r\n" +
            "Retry-After: 949302838503028349304023988\n" +
            "Warning: 1812 overture \"In Progress\"\n" +
            "Content-Length: 0\n\n",

        // §3.1.2.6 Unterminated Quoted String in Display Name
        ["quotbal"] =
            "INVITE sip:user@example.com SIP/2.0\n" +
            "To: \"Mr. J. User <sip:j.user@example.com>\n" +
            "From: sip:caller@example.net;tag=93334\n" +
            "Max-Forwards: 10\n" +
            "Call-ID: quotbal.aksdj\n" +
            "Contact: <sip:caller@host59.example.net>\n" +
            "CSeq: 8 INVITE\n" +
            "Via: SIP/2.0/UDP 192.0.2.59:5050;branch=z9hG4bKkdjuw39234\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: {CL}\n\n" + SdpBody,

        // §3.1.2.7 <> Enclosing Request-URI
        ["ltgtruri"] =
            "INVITE <sip:user@example.com> SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:caller@example.net;tag=39291\n" +
            "Max-Forwards: 23\n" +
            "Call-ID: ltgtruri.1@192.0.2.5\n" +
            "CSeq: 1 INVITE\n" +
            "Via: SIP/2.0/UDP 192.0.2.5\n" +
            "Contact: <sip:caller@host5.example.net>\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: {CL}\n\n" + SdpBody,

        // §3.1.2.8 Malformed SIP Request-URI (embedded LWS)
        ["lwsruri"] =
            "INVITE sip:user@example.com; lr SIP/2.0\n" +
            "To: sip:user@example.com;tag=3xfe-9921883-z9f\n" +
            "From: sip:caller@example.net;tag=231413434\n" +
            "Max-Forwards: 5\n" +
            "Call-ID: lwsruri.asdfasdoeoi2323-asdfwrn23-asd834rk423\n" +
            "CSeq: 2130706432 INVITE\n" +
            "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKkdjuw2395\n" +
            "Contact: <sip:caller@host1.example.net>\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: {CL}\n\n" + SdpBody,

        // §3.1.2.9 Multiple SP Separating Request-Line Elements
        ["lwsstart"] =
            "INVITE  sip:user@example.com  SIP/2.0\n" +
            "Max-Forwards: 8\n" +
            "To: sip:user@example.com\n" +
            "From: sip:caller@example.net;tag=8814\n" +
            "Call-ID: lwsstart.dfknq234oi243099adsdfnawe3@example.com\n" +
            "CSeq: 1893884 INVITE\n" +
            "Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw3923\n" +
            "Contact: <sip:caller@host1.example.net>\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: {CL}\n\n" + SdpBody,

        // §3.1.2.10 SP Characters at End of Request-Line
        ["trws"] =
            "OPTIONS sip:remote-target@example.com SIP/2.0  \n" +
            "Via: SIP/2.0/TCP host1.example.com;branch=z9hG4bK299342093\n" +
            "To: <sip:remote-target@example.com>\n" +
            "From: <sip:local-resource@example.com>;tag=329429089\n" +
            "Call-ID: trws.oicu34958239neffasdhr2345r\n" +
            "Accept: application/sdp\n" +
            "CSeq: 238923 OPTIONS\n" +
            "Max-Forwards: 70\n" +
            "Content-Length: 0\n\n",

        // §3.1.2.11 Escaped Headers in SIP Request-URI
        ["escruri"] =
            "INVITE sip:user@example.com?Route=%3Csip:example.com%3E SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:caller@example.net;tag=341518\n" +
            "Max-Forwards: 7\n" +
            "Contact: <sip:caller@host39923.example.net>\n" +
            "Call-ID: escruri.23940-asdfhj-aje3br-234q098w-fawerh2q-h4n5\n" +
            "CSeq: 39234321 INVITE\n" +
            "Via: SIP/2.0/UDP host-of-the-hour.example.com;branch=z9hG4bKkdjuw\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: {CL}\n\n" + SdpBody,

        // §3.1.2.12 Invalid Time Zone in Date Header Field
        ["baddate"] =
            "INVITE sip:user@example.com SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:caller@example.net;tag=2234923\n" +
            "Max-Forwards: 70\n" +
            "Call-ID: baddate.239423mnsadf3j23lj42--sedfnm234\n" +
            "CSeq: 1392934 INVITE\n" +
            "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\n" +
            "Date: Fri, 01 Jan 2010 16:00:00 EST\n" +
            "Contact: <sip:caller@host5.example.net>\n" +
            "Content-Type: application/sdp\n" +
            "Content-Length: {CL}\n\n" + SdpBody,

        // §3.1.2.13 Failure to Enclose name-addr URI in <>
        ["regbadct"] =
            "REGISTER sip:example.com SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:user@example.com;tag=998332\n" +
            "Max-Forwards: 70\n" +
            "Call-ID: regbadct.k345asrl3fdbv@10.0.0.1\n" +
            "CSeq: 1 REGISTER\n" +
            "Via: SIP/2.0/UDP 135.180.130.133:5060;branch=z9hG4bKkdjuw\n" +
            "Contact: sip:user@example.com?Route=%3Csip:sip.example.com%3E\n" +
            "l: 0\n\n",

        // §3.1.2.14 Spaces within addr-spec
        ["badaor"] =
            "OPTIONS sip:user@example.org SIP/2.0\n" +
            "Via: SIP/2.0/UDP host4.example.com:5060;branch=z9hG4bKkdju43234\n" +
            "Max-Forwards: 70\n" +
            "From: \"Bell, Alexander\" <sip:a.g.bell@example.com>;tag=433423\n" +
            "To: \"Watson, Thomas\" < sip:t.watson@example.org >\n" +
            "Call-ID: badaor.kdjuw45w3rs234@host4.example.com\n" +
            "CSeq: 3 OPTIONS\n" +
            "Content-Length: 0\n\n",

        // §3.1.2.15 Non-token Characters in Display Name
        ["baddn"] =
            "OPTIONS sip:t.watson@example.org SIP/2.0\n" +
            "Via: SIP/2.0/UDP c.example.com:5060;branch=z9hG4bKkdjuw\n" +
            "Max-Forwards: 70\n" +
            "From: Bell, Alexander <sip:a.g.bell@example.com>;tag=43\n" +
            "To: Watson, Thomas <sip:t.watson@example.org>\n" +
            "Call-ID: baddn.31415@c.example.com\n" +
            "Accept: application/sdp\n" +
            "CSeq: 3923239 OPTIONS\n" +
            "l: 0\n\n",

        // §3.1.2.16 Unknown Protocol Version
        ["badvers"] =
            "OPTIONS sip:t.watson@example.org SIP/7.0\n" +
            "Via:     SIP/7.0/UDP c.example.com;branch=z9hG4bKkdjuw\n" +
            "Max-Forwards:     70\n" +
            "From:    A. Bell <sip:a.g.bell@example.com>;tag=qweoiqpe\n" +
            "To:      T. Watson <sip:t.watson@example.org>\n" +
            "Call-ID: badvers.31417@c.example.com\n" +
            "CSeq:    1 OPTIONS\n" +
            "l: 0\n\n",

        // §3.1.2.17 Start Line and CSeq Method Mismatch
        ["mismatch01"] =
            "OPTIONS sip:user@example.com SIP/2.0\n" +
            "To: sip:j.user@example.com\n" +
            "From: sip:caller@example.net;tag=34525\n" +
            "Max-Forwards: 6\n" +
            "Call-ID: mismatch01.dj0234sxdfl3\n" +
            "CSeq: 8 INVITE\n" +
            "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKkdjuw\n" +
            "l: 0\n\n",

        // §3.1.2.18 Unknown Method with CSeq Method Mismatch
        ["mismatch02"] =
            "NEWMETHOD sip:user@example.com SIP/2.0\n" +
            "To: sip:j.user@example.com\n" +
            "From: sip:caller@example.net;tag=34525\n" +
            "Max-Forwards: 6\n" +
            "Call-ID: mismatch02.dj0234sxdfl3\n" +
            "CSeq: 8 INVITE\n" +
            "Contact: <sip:caller@host.example.net>\n" +
            "Via: SIP/2.0/UDP host.example.net;branch=z9hG4bKkdjuw\n" +
            "Content-Type: application/sdp\n" +
            "l: {CL}\n\n" + SdpBody,

        // §3.1.2.19 Overlarge Response Code
        ["bigcode"] =
            "SIP/2.0 4294967301 better not break the receiver\n" +
            "Via: SIP/2.0/UDP 192.0.2.105;branch=z9hG4bK2398ndaoe\n" +
            "Call-ID: bigcode.asdof3uj203asdnf3429uasdhfas3ehjasdfas9i\n" +
            "CSeq: 353494 INVITE\n" +
            "From: <sip:user@example.com>;tag=39ansfi3\n" +
            "To: <sip:user@example.edu>;tag=902jndnke3\n" +
            "Content-Length: 0\n" +
            "Contact: <sip:user@host105.example.com>\n\n",

        // §3.2.1 Missing Transaction Identifier (RFC 2543 style branch)
        ["badbranch"] =
            "OPTIONS sip:user@example.com SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:caller@example.org;tag=33242\n" +
            "Max-Forwards: 3\n" +
            "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK\n" +
            "Accept: application/sdp\n" +
            "Call-ID: badbranch.sadonfo23i420jv0as0derf3j3n\n" +
            "CSeq: 8 OPTIONS\n" +
            "l: 0\n\n",

        // §3.3.1 Missing Required Header Fields
        ["insuf"] =
            "INVITE sip:user@example.com SIP/2.0\n" +
            "CSeq: 193942 INVITE\n" +
            "Via: SIP/2.0/UDP 192.0.2.95;branch=z9hG4bKkdj.insuf\n" +
            "Content-Type: application/sdp\n" +
            "l: {CL}\n\n" + SdpBody,

        // §3.3.2 Request-URI with Unknown Scheme
        ["unkscm"] =
            "OPTIONS nobodyknowsthisscheme:totallyopaqueschemedata SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:caller@example.net;tag=384\n" +
            "Max-Forwards: 3\n" +
            "Call-ID: unkscm.nasdfasser0q239nwsdfasdkl34\n" +
            "CSeq: 3923423 OPTIONS\n" +
            "Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\n" +
            "Content-Length: 0\n\n",

        // §3.3.3 Request-URI with Known but Atypical Scheme
        ["novelsc"] =
            "OPTIONS soap.beep://192.0.2.103:3002 SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:caller@example.net;tag=384\n" +
            "Max-Forwards: 3\n" +
            "Call-ID: novelsc.asdfasser0q239nwsdfasdkl34\n" +
            "CSeq: 3923423 OPTIONS\n" +
            "Via: SIP/2.0/TCP host9.example.com;branch=z9hG4bKkdjuw39234\n" +
            "Content-Length: 0\n\n",

        // §3.3.4 Unknown URI Schemes in Header Fields
        ["unksm2"] =
            "REGISTER sip:example.com SIP/2.0\n" +
            "To: isbn:2983792873\n" +
            "From: <http://www.example.com>;tag=3234233\n" +
            "Call-ID: unksm2.daksdj@hyphenated-host.example.com\n" +
            "CSeq: 234902 REGISTER\n" +
            "Max-Forwards: 70\n" +
            "Via: SIP/2.0/UDP 192.0.2.21:5060;branch=z9hG4bKkdjuw\n" +
            "Contact: <name:John_Smith>\n" +
            "l: 0\n\n",

        // §3.3.5 Proxy-Require and Require
        ["bext01"] =
            "OPTIONS sip:user@example.com SIP/2.0\n" +
            "To: sip:j_user@example.com\n" +
            "From: sip:caller@example.net;tag=242etr\n" +
            "Max-Forwards: 6\n" +
            "Call-ID: bext01.0ha0isndaksdj\n" +
            "Require: nothingSupportsThis, nothingSupportsThisEither\n" +
            "Proxy-Require: noProxiesSupportThis, norDoAnyProxiesSupportThis\n" +
            "CSeq: 8 OPTIONS\n" +
            "Via: SIP/2.0/TLS fold-and-staple.example.com;branch=z9hG4bKkdjuw\n" +
            "Content-Length: 0\n\n",

        // §3.3.8 Multiple Values in Single Value Required Fields
        ["multi01"] =
            "INVITE sip:user@company.com SIP/2.0\n" +
            "Contact: <sip:caller@host25.example.net>\n" +
            "Via: SIP/2.0/UDP 192.0.2.25;branch=z9hG4bKkdjuw\n" +
            "Max-Forwards: 70\n" +
            "CSeq: 5 INVITE\n" +
            "Call-ID: multi01.98asdh@192.0.2.1\n" +
            "CSeq: 59 INVITE\n" +
            "Call-ID: multi01.98asdh@192.0.2.2\n" +
            "From: sip:caller@example.com;tag=3413415\n" +
            "To: sip:user@example.com\n" +
            "To: sip:other@example.net\n" +
            "From: sip:caller@example.net;tag=2923420123\n" +
            "Content-Type: application/sdp\n" +
            "l: {CL}\n\n" + SdpBody,

        // §3.3.9 Multiple Content-Length Values
        ["mcl01"] =
            "OPTIONS sip:user@example.com SIP/2.0\n" +
            "Via: SIP/2.0/UDP host5.example.net;branch=z9hG4bK293423\n" +
            "To: sip:user@example.com\n" +
            "From: sip:other@example.net;tag=3923942\n" +
            "Call-ID: mcl01.fhn2323orihawfdoa3o4r52o3irsdf\n" +
            "CSeq: 15932 OPTIONS\n" +
            "Content-Length: 13\n" +
            "Max-Forwards: 60\n" +
            "Content-Length: 5\n" +
            "Content-Type: text/plain\n\n" +
            "There's no way to know how many octets are supposed to be here.\n",

        // §3.3.10 200 OK Response with Broadcast Via Header Field Value
        ["bcast"] =
            "SIP/2.0 200 OK\n" +
            "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1324923\n" +
            "Via: SIP/2.0/UDP 255.255.255.255;branch=z9hG4bK1saber23\n" +
            "Call-ID: bcast.0384840201234ksdfak3j2erwedfsASdf\n" +
            "CSeq: 35 INVITE\n" +
            "From: sip:user@example.com;tag=11141343\n" +
            "To: sip:user@example.edu;tag=2229\n" +
            "Content-Length: {CL}\n" +
            "Content-Type: application/sdp\n" +
            "Contact: <sip:user@host28.example.com>\n\n" + SdpBody,

        // §3.3.11 Max-Forwards of Zero
        ["zeromf"] =
            "OPTIONS sip:user@example.com SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:caller@example.net;tag=3ghsd41\n" +
            "Call-ID: zeromf.jfasdlfnm2o2l43r5u0asdfas\n" +
            "CSeq: 39234321 OPTIONS\n" +
            "Via: SIP/2.0/UDP host1.example.com;branch=z9hG4bKkdjuw2349i\n" +
            "Max-Forwards: 0\n" +
            "Content-Length: 0\n\n",

        // §3.3.12 REGISTER with a Contact Header Parameter
        ["cparam01"] =
            "REGISTER sip:example.com SIP/2.0\n" +
            "Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw\n" +
            "Max-Forwards: 70\n" +
            "From: sip:watson@example.com;tag=DkfVgjkrtMwaerKKpe\n" +
            "To: sip:watson@example.com\n" +
            "Call-ID: cparam01.70710@saturn.example.com\n" +
            "CSeq: 2 REGISTER\n" +
            "Contact: sip:+19725552222@gw1.example.net;unknownparam\n" +
            "l: 0\n\n",

        // §3.3.13 REGISTER with a URL Parameter
        ["cparam02"] =
            "REGISTER sip:example.com SIP/2.0\n" +
            "Via: SIP/2.0/UDP saturn.example.com:5060;branch=z9hG4bKkdjuw\n" +
            "Max-Forwards: 70\n" +
            "From: sip:watson@example.com;tag=838293\n" +
            "To: sip:watson@example.com\n" +
            "Call-ID: cparam02.70710@saturn.example.com\n" +
            "CSeq: 3 REGISTER\n" +
            "Contact: <sip:+19725552222@gw1.example.net;unknownparam>\n" +
            "l: 0\n\n",

        // §3.3.14 REGISTER with a URL Escaped Header
        ["regescrt"] =
            "REGISTER sip:example.com SIP/2.0\n" +
            "To: sip:user@example.com\n" +
            "From: sip:user@example.com;tag=8\n" +
            "Max-Forwards: 70\n" +
            "Call-ID: regescrt.k345asrl3fdbv@192.0.2.1\n" +
            "CSeq: 14398234 REGISTER\n" +
            "Via: SIP/2.0/UDP host5.example.com;branch=z9hG4bKkdjuw\n" +
            "M: <sip:user@example.com?Route=%3Csip:sip.example.com%3E>\n" +
            "L:0\n\n",

        // §3.4.1 INVITE with RFC 2543 Syntax
        ["inv2543"] =
            "INVITE sip:UserB@example.com SIP/2.0\n" +
            "Via: SIP/2.0/UDP iftgw.example.com\n" +
            "From: <sip:+13035551111@ift.client.example.net;user=phone>\n" +
            "Record-Route: <sip:UserB@example.com;maddr=ss1.example.com>\n" +
            "To: sip:+16505552222@ss1.example.net;user=phone\n" +
            "Call-ID: inv2543.1717@ift.client.example.com\n" +
            "CSeq: 56 INVITE\n" +
            "Content-Type: application/sdp\n\n" + SdpBody,
    };

    /// <summary>LF to CRLF, {CL} to the body length, {B:xx} to a raw byte; everything else as UTF-8.</summary>
    private static byte[] Build(string text)
    {
        text = text.Replace("\n", "\r\n");
        var bodyStart = text.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        var head = text[..bodyStart];
        var body = Encode(text[bodyStart..]);
        if (head.Contains("{CL}", StringComparison.Ordinal))
        {
            // dblreq-like messages only use {CL} for the first message; count up to the end.
            head = head.Replace("{CL}", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }
        return [.. Encode(head), .. body];
    }

    private static byte[] Encode(string text)
    {
        var bytes = new List<byte>(text.Length + 16);
        var i = 0;
        while (i < text.Length)
        {
            var marker = text.IndexOf("{B:", i, StringComparison.Ordinal);
            var end = marker < 0 ? text.Length : marker;
            bytes.AddRange(Encoding.UTF8.GetBytes(text[i..end]));
            if (marker < 0)
            {
                break;
            }
            bytes.Add(Convert.ToByte(text.Substring(marker + 3, 2), 16));
            i = marker + 6;
        }
        return [.. bytes];
    }
}
