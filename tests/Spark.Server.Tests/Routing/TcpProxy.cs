using System.Net;
using System.Net.Sockets;

namespace Spark.Server.Tests.Routing;

/// <summary>
/// A TCP forwarder on 127.0.0.1 in front of a real server, so a test can cut the network the way a crashed host or a
/// restart does: <see cref="SeverAll"/> resets every open connection, <see cref="Stop"/> also stops listening (new
/// connections are refused). Counts the connections it accepted.
/// </summary>
internal sealed class TcpProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Uri _target;
    private readonly List<Socket> _open = [];
    private readonly Task _accepting;
    private int _accepted;

    private TcpProxy(Uri target)
    {
        _target = target;
        _listener.Start();
        _accepting = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Forwards to <paramref name="target"/>'s host and port.</summary>
    public static TcpProxy Start(Uri target) => new(target);

    /// <summary>The same URL as the target's, through the proxy.</summary>
    public string Url(string path) => $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}";

    public int Accepted => Volatile.Read(ref _accepted);

    private async Task AcceptLoopAsync()
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            Interlocked.Increment(ref _accepted);
            var server = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                await server.ConnectAsync(_target.Host, _target.Port);
            }
            catch (SocketException)
            {
                Reset(client);
                continue;
            }
            lock (_open) _open.AddRange([client, server]);
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                int n = await from.ReceiveAsync(buffer);
                if (n == 0)
                {
                    to.Shutdown(SocketShutdown.Send);
                    return;
                }
                await to.SendAsync(buffer.AsMemory(0, n));
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            Reset(from);
            Reset(to);
        }
    }

    /// <summary>Resets every connection open through the proxy (both sides see a dropped TCP connection).</summary>
    public void SeverAll()
    {
        Socket[] open;
        lock (_open)
        {
            open = [.. _open];
            _open.Clear();
        }
        foreach (var socket in open) Reset(socket);
    }

    /// <summary>Stops listening and severs every connection: the upstream is gone.</summary>
    public void Stop()
    {
        _listener.Stop();
        SeverAll();
    }

    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0); // close with RST, like a host that went away
            socket.Close();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        Stop();
        await _accepting;
    }
}
