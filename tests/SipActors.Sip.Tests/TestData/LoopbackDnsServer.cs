using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace SipActors.Sip.Tests.TestData;

/// <summary>A tiny authoritative DNS server on 127.0.0.1 answering A and SRV questions from a table, for RFC 3263 tests without touching any real resolver.</summary>
internal sealed class LoopbackDnsServer : IDisposable
{
    private const ushort TypeA = 1;
    private const ushort TypeSrv = 33;
    private readonly UdpClient _udp = new(new IPEndPoint(IPAddress.Loopback, 0));
    private readonly Dictionary<(string, ushort), List<byte[]>> _records = [];
    private readonly CancellationTokenSource _stop = new();

    public LoopbackDnsServer() => _ = Task.Run(ServeAsync);

    public IPEndPoint EndPoint => (IPEndPoint)_udp.Client.LocalEndPoint!;

    public int Queries { get; private set; }

    public LoopbackDnsServer A(string name, string address)
    {
        Add(name, TypeA, IPAddress.Parse(address).GetAddressBytes());
        return this;
    }

    public LoopbackDnsServer Srv(string name, ushort priority, ushort weight, ushort port, string target)
    {
        var data = new List<byte>(new byte[6]);
        BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(data)[0..2], priority);
        BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(data)[2..4], weight);
        BinaryPrimitives.WriteUInt16BigEndian(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(data)[4..6], port);
        data.AddRange(Name(target));
        Add(name, TypeSrv, [.. data]);
        return this;
    }

    private void Add(string name, ushort type, byte[] rdata)
    {
        var key = (name.ToLowerInvariant(), type);
        if (!_records.TryGetValue(key, out var list))
        {
            _records[key] = list = [];
        }
        list.Add(rdata);
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            UdpReceiveResult request;
            try
            {
                request = await _udp.ReceiveAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            Queries++;
            var reply = Answer(request.Buffer);
            if (reply is not null)
            {
                await _udp.SendAsync(reply, request.RemoteEndPoint);
            }
        }
    }

    private byte[]? Answer(byte[] query)
    {
        if (query.Length < 17)
        {
            return null;
        }
        var labels = new List<string>();
        var at = 12;
        while (query[at] != 0)
        {
            labels.Add(Encoding.ASCII.GetString(query, at + 1, query[at]));
            at += query[at] + 1;
        }
        at++;
        var type = BinaryPrimitives.ReadUInt16BigEndian(query.AsSpan(at));
        var questionEnd = at + 4;
        var name = string.Join('.', labels).ToLowerInvariant();
        _records.TryGetValue((name, type), out var answers);

        var response = new List<byte>(query[..questionEnd]);
        response[2] = 0x84; // response, authoritative, recursion desired echoed below
        response[3] = (byte)(answers is null ? 0x83 : 0x80); // NXDOMAIN when unknown
        response[6] = 0;
        response[7] = (byte)(answers?.Count ?? 0);
        response[8] = response[9] = response[10] = response[11] = 0;
        foreach (var rdata in answers ?? [])
        {
            response.AddRange([0xC0, 0x0C]); // the question's name
            response.AddRange([(byte)(type >> 8), (byte)type, 0, 1, 0, 0, 0, 60, (byte)(rdata.Length >> 8), (byte)rdata.Length]);
            response.AddRange(rdata);
        }
        return [.. response];
    }

    private static byte[] Name(string name)
    {
        var bytes = new List<byte>();
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            bytes.Add((byte)label.Length);
            bytes.AddRange(Encoding.ASCII.GetBytes(label));
        }
        bytes.Add(0);
        return [.. bytes];
    }

    public void Dispose()
    {
        _stop.Cancel();
        _udp.Dispose();
    }
}
