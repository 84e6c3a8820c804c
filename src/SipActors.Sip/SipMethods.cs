using System.Runtime.CompilerServices;
using System.Text;

namespace SipActors.Sip;

/// <summary>Maps method names to <see cref="SipMethod"/> and back. Method names are case-sensitive (RFC 3261 §7.1).</summary>
public static class SipMethods
{
    /// <summary>
    /// The methods a SipActors user agent accepts, as its Allow header lists them (RFC 3261 §20.5):
    /// in OPTIONS answers, 501s, and the Contact-bearing messages of a call. Here, at the root, so
    /// the calls and the user agents both read it without importing each other.
    /// </summary>
    public const string Allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, MESSAGE, NOTIFY, UPDATE";

    private static readonly string[] Names =
    [
        "", "INVITE", "ACK", "BYE", "CANCEL", "REGISTER", "OPTIONS", "MESSAGE",
        "NOTIFY", "SUBSCRIBE", "REFER", "INFO", "UPDATE", "PRACK", "PUBLISH",
    ];

    /// <summary>The canonical name of a known method (a cached string, so no allocation).</summary>
    public static string ToName(this SipMethod method)
        => method == SipMethod.Unknown ? throw new ArgumentException("Unknown has no name of its own.", nameof(method)) : Names[(int)method];

    /// <summary>The known method with this exact name, or <see cref="SipMethod.Unknown"/>.</summary>
    public static SipMethod FromName(ReadOnlySpan<char> name)
    {
        for (var i = 1; i < Names.Length; i++)
        {
            if (name.SequenceEqual(Names[i]))
            {
                return (SipMethod)i;
            }
        }
        return SipMethod.Unknown;
    }

    /// <summary>The known method spelled by these bytes, matched by length first so most names cost one comparison.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static SipMethod FromName(ReadOnlySpan<byte> name) => name.Length switch
    {
        3 => name.SequenceEqual("ACK"u8) ? SipMethod.Ack : name.SequenceEqual("BYE"u8) ? SipMethod.Bye : SipMethod.Unknown,
        4 => name.SequenceEqual("INFO"u8) ? SipMethod.Info : SipMethod.Unknown,
        5 => name.SequenceEqual("REFER"u8) ? SipMethod.Refer : name.SequenceEqual("PRACK"u8) ? SipMethod.Prack : SipMethod.Unknown,
        6 => name.SequenceEqual("INVITE"u8) ? SipMethod.Invite : name.SequenceEqual("CANCEL"u8) ? SipMethod.Cancel
            : name.SequenceEqual("NOTIFY"u8) ? SipMethod.Notify : name.SequenceEqual("UPDATE"u8) ? SipMethod.Update : SipMethod.Unknown,
        7 => name.SequenceEqual("OPTIONS"u8) ? SipMethod.Options : name.SequenceEqual("MESSAGE"u8) ? SipMethod.Message
            : name.SequenceEqual("PUBLISH"u8) ? SipMethod.Publish : SipMethod.Unknown,
        8 => name.SequenceEqual("REGISTER"u8) ? SipMethod.Register : SipMethod.Unknown,
        9 => name.SequenceEqual("SUBSCRIBE"u8) ? SipMethod.Subscribe : SipMethod.Unknown,
        _ => SipMethod.Unknown,
    };

    /// <summary>The name for a method spelled by these bytes: the cached string when known, a new one otherwise.</summary>
    internal static string GetName(ReadOnlySpan<byte> name, out SipMethod method)
    {
        method = FromName(name);
        return method == SipMethod.Unknown ? Encoding.UTF8.GetString(name) : Names[(int)method];
    }
}
