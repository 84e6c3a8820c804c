using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SipActors.Sip;
using SipActors.Sip.Headers;

namespace SipActors.Tests.Reliability;

/// <summary>
/// A misbehaving registrar on loopback UDP: every request is answered by a script (status and
/// extra headers by request number), or not at all. It keeps the arrival time of every REGISTER,
/// so a test can count how hard an account pushes a failing server. A retransmission (a Via branch
/// already seen) gets the answer its first copy got and is not counted: on a loaded machine an
/// answer can take longer than T1, and a count of datagrams then told of the load, not the account.
/// </summary>
internal sealed class ScriptedRegistrar : IAsyncDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Func<SipRequest, int, ScriptedAnswer?> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _registers;
    private readonly Dictionary<string, ScriptedAnswer?> _answered = new(StringComparer.Ordinal); // by top Via branch (one loop: no lock)

    /// <param name="script">The answer to the n-th REGISTER (1-based); null to stay silent. Other methods get 200.</param>
    public ScriptedRegistrar(Func<SipRequest, int, ScriptedAnswer?> script)
    {
        _script = script;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        EndPoint = (IPEndPoint)_socket.LocalEndPoint!;
        _loop = Task.Run(LoopAsync);
    }

    public IPEndPoint EndPoint { get; }

    public string Url => $"udp://127.0.0.1:{EndPoint.Port}";

    /// <summary>When each REGISTER arrived (Stopwatch time).</summary>
    public ConcurrentQueue<TimeSpan> RegisterTimes { get; } = new();

    public int Registers => Volatile.Read(ref _registers);

    private async Task LoopAsync()
    {
        var buffer = new byte[65536];
        while (!_stop.IsCancellationRequested)
        {
            SocketReceiveFromResult received;
            try
            {
                received = await _socket.ReceiveFromAsync(buffer, SocketFlags.None, new IPEndPoint(IPAddress.Any, 0), _stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            if (SipMessage.Parse(buffer.AsSpan(0, received.ReceivedBytes)) is not SipRequest request || request.Method == SipMethod.Ack)
            {
                continue;
            }
            ScriptedAnswer? answer = new(200);
            var branch = request.TopVia?.Branch ?? "";
            if (request.Method == SipMethod.Register && !_answered.TryGetValue(branch, out answer))
            {
                RegisterTimes.Enqueue(System.Diagnostics.Stopwatch.GetElapsedTime(0));
                answer = _script(request, Interlocked.Increment(ref _registers));
                _answered[branch] = answer;
            }
            if (answer is null)
            {
                continue;
            }
            var response = SipResponses.Create(request, answer.Status, toTag: SipIdentifiers.NewTag());
            if (answer.Status is >= 200 and < 300 && request.Method == SipMethod.Register && request.Headers.TryGetValue(SipHeaderId.Contact, out var contact))
            {
                var expires = request.Headers.TryGetValue(SipHeaderId.Expires, out var e) ? System.Text.Encoding.ASCII.GetString(e) : "300";
                response.Headers.Add(SipHeaderId.Contact, System.Text.Encoding.UTF8.GetString(contact) + ";expires=" + expires);
            }
            foreach (var (name, value) in answer.Headers)
            {
                response.Headers.Add(name, value);
            }
            await _socket.SendToAsync(response.ToArray(), SocketFlags.None, received.RemoteEndPoint);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _socket.Dispose();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>A scripted final response: a status and extra header lines.</summary>
internal sealed record ScriptedAnswer(int Status, params (string Name, string Value)[] Headers);
