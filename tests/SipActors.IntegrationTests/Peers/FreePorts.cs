using System.Net;
using System.Net.Sockets;

namespace SipActors.IntegrationTests.Peers;

/// <summary>Loopback ports free for both UDP and TCP, so parallel fixtures never collide.</summary>
internal static class FreePorts
{
    public static int[] Take(int count)
    {
        var ports = new List<int>();
        var held = new List<Socket>();
        try
        {
            while (ports.Count < count)
            {
                var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                tcp.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                var port = ((IPEndPoint)tcp.LocalEndPoint!).Port;
                var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                try
                {
                    udp.Bind(new IPEndPoint(IPAddress.Loopback, port));
                }
                catch (SocketException)
                {
                    tcp.Dispose();
                    udp.Dispose();
                    continue;
                }
                held.Add(tcp);
                held.Add(udp);
                ports.Add(port);
            }
            return [.. ports];
        }
        finally
        {
            foreach (var s in held)
            {
                s.Dispose();
            }
        }
    }
}
