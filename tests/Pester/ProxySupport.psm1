<#
    A forward proxy for the proxy tests, on 127.0.0.1, that never leaves this machine: it tunnels CONNECT and forwards
    plain-http requests (absolute-form, as clients send them to a proxy) to loopback targets only, and answers 403 to any
    other target after writing it down. Every request it sees is logged ("CONNECT host:port", "POST http://..."), and each
    forwarded plain-http request carries "Via: 1.1 pp-test-proxy", so the sandbox's journal shows which requests came
    through it.

        $proxy = Start-TestProxy
        $env:HTTPS_PROXY = $proxy.Uri
        ...
        Get-TestProxyLog -Proxy $proxy
        Stop-TestProxy -Proxy $proxy
#>

Set-StrictMode -Version 3.0

if (-not ('ProfilePositions.Tests.LoopbackProxy' -as [type])) {
    Add-Type -TypeDefinition @'
using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ProfilePositions.Tests
{
    public sealed class LoopbackProxy : IDisposable
    {
        public const string Via = "1.1 pp-test-proxy";
        private readonly TcpListener _listener = new TcpListener(IPAddress.Loopback, 0);
        private readonly ConcurrentQueue<string> _log = new ConcurrentQueue<string>();
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        public LoopbackProxy()
        {
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            Task.Run(AcceptAsync);
        }

        public int Port { get; private set; }

        public string[] Log() { return _log.ToArray(); }

        public void Clear() { string ignored; while (_log.TryDequeue(out ignored)) { } }

        public void Dispose() { _stop.Cancel(); _listener.Stop(); }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try { client = await _listener.AcceptTcpClientAsync().ConfigureAwait(false); }
                catch (Exception) { return; }
                var ignored = Task.Run(() => ServeAsync(client));
            }
        }

        private static bool IsLoopback(string host)
        {
            host = host.Trim('[', ']');
            IPAddress address;
            return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out address) && IPAddress.IsLoopback(address));
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            {
                try
                {
                    var stream = client.GetStream();
                    var buffer = new MemoryStream();
                    var chunk = new byte[8192];
                    int headEnd = -1;
                    while (headEnd < 0)
                    {
                        var read = await stream.ReadAsync(chunk, 0, chunk.Length).ConfigureAwait(false);
                        if (read == 0) return;
                        buffer.Write(chunk, 0, read);
                        headEnd = IndexOf(buffer.GetBuffer(), (int)buffer.Length, new byte[] { 13, 10, 13, 10 });
                        if (buffer.Length > 65536) return;
                    }

                    var all = buffer.ToArray();
                    var head = Encoding.ASCII.GetString(all, 0, headEnd);
                    var rest = all.Skip(headEnd + 4).ToArray();
                    var lines = head.Split(new[] { "\r\n" }, StringSplitOptions.None);
                    var parts = lines[0].Split(' ');
                    var method = parts[0];
                    var target = parts.Length > 1 ? parts[1] : string.Empty;
                    _log.Enqueue(method + " " + target);

                    string host;
                    int port;
                    if (method == "CONNECT")
                    {
                        var colon = target.LastIndexOf(':');
                        host = target.Substring(0, colon);
                        port = int.Parse(target.Substring(colon + 1));
                    }
                    else
                    {
                        Uri uri;
                        if (!Uri.TryCreate(target, UriKind.Absolute, out uri)) { await RefuseAsync(stream, "400 Bad Request").ConfigureAwait(false); return; }
                        host = uri.Host;
                        port = uri.Port;
                    }

                    if (!IsLoopback(host))
                    {
                        // Nothing leaves this machine: the test only needs to see that the request came here.
                        await RefuseAsync(stream, "403 Forbidden").ConfigureAwait(false);
                        return;
                    }

                    using (var upstream = new TcpClient())
                    {
                        await upstream.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                        var server = upstream.GetStream();
                        if (method == "CONNECT")
                        {
                            var ok = Encoding.ASCII.GetBytes("HTTP/1.1 200 Connection Established\r\n\r\n");
                            await stream.WriteAsync(ok, 0, ok.Length).ConfigureAwait(false);
                        }
                        else
                        {
                            // One request per connection: the answer closes it, so every request passes through here.
                            var kept = lines.Skip(1).Where(line => line.Length > 0 && !line.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase) && !line.StartsWith("Proxy-Connection:", StringComparison.OrdinalIgnoreCase));
                            var forwarded = lines[0] + "\r\n" + string.Join("\r\n", kept) + "\r\nConnection: close\r\nVia: " + Via + "\r\n\r\n";
                            var bytes = Encoding.ASCII.GetBytes(forwarded);
                            await server.WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
                        }

                        if (rest.Length > 0) await server.WriteAsync(rest, 0, rest.Length).ConfigureAwait(false);
                        var up = stream.CopyToAsync(server);
                        var down = server.CopyToAsync(stream);
                        await Task.WhenAny(up, down).ConfigureAwait(false);
                        if (method != "CONNECT") await down.ConfigureAwait(false);
                    }
                }
                catch (Exception ex)
                {
                    _log.Enqueue("ERROR " + ex.GetType().Name + ": " + ex.Message);
                }
            }
        }

        private static async Task RefuseAsync(NetworkStream stream, string status)
        {
            var bytes = Encoding.ASCII.GetBytes("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(bytes, 0, bytes.Length).ConfigureAwait(false);
        }

        private static int IndexOf(byte[] data, int length, byte[] pattern)
        {
            for (var i = 0; i <= length - pattern.Length; i++)
            {
                var match = true;
                for (var j = 0; j < pattern.Length && match; j++) match = data[i + j] == pattern[j];
                if (match) return i;
            }

            return -1;
        }
    }
}
'@
}

function Start-TestProxy {
    <# Starts the loopback forward proxy. Returns @{ Uri = 'http://127.0.0.1:<port>'; Proxy = <LoopbackProxy> }. #>
    $proxy = [ProfilePositions.Tests.LoopbackProxy]::new()
    [pscustomobject]@{ Uri = "http://127.0.0.1:$($proxy.Port)"; Proxy = $proxy }
}

function Get-TestProxyLog {
    <# What the proxy saw, oldest first: "CONNECT host:port" or "METHOD absolute-url" (and "ERROR ..." lines). #>
    param([Parameter(Mandatory)] $Proxy)
    $Proxy.Proxy.Log()
}

function Clear-TestProxyLog {
    param([Parameter(Mandatory)] $Proxy)
    $Proxy.Proxy.Clear()
}

function Stop-TestProxy {
    param([AllowNull()] $Proxy)
    if ($Proxy) { $Proxy.Proxy.Dispose() }
}

Export-ModuleMember -Function Start-TestProxy, Get-TestProxyLog, Clear-TestProxyLog, Stop-TestProxy
