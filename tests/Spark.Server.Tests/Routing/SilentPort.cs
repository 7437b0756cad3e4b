using System.Net;
using System.Net.Sockets;

namespace Spark.Server.Tests.Routing;

/// <summary>
/// A TCP port on 127.0.0.1 where a connect never completes, like a host that drops packets: a listener with a backlog
/// of 0 whose one queue slot is taken by a connection nobody accepts, so the kernel drops further SYNs. (A closed
/// port is refused at once and cannot show that a connect timeout is enforced.)
/// </summary>
internal sealed class SilentPort : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly Socket _queued = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);

    public SilentPort()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(0);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        _queued.Connect(IPAddress.Loopback, Port);
    }

    public int Port { get; }

    /// <summary><c>http://127.0.0.1:PORT/v1</c>.</summary>
    public string BaseUrl => $"http://127.0.0.1:{Port}/v1";

    public void Dispose()
    {
        _queued.Dispose();
        _listener.Dispose();
    }
}
