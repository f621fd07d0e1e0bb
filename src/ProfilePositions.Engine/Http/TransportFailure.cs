using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;

namespace ProfilePositions.Engine.Http
{
    /// <summary>How a request failed without an HTTP answer: whether Graph may have received it matters for a write.</summary>
    internal enum TransportFailureKind
    {
        /// <summary>No connection could be made (refused, no such host): the request was not sent.</summary>
        NotSent,

        /// <summary>The connection was reset or closed after the request went out: Graph may have applied it.</summary>
        ConnectionLost,

        /// <summary>No answer within -TimeoutSec: Graph may have applied it.</summary>
        TimedOut,

        /// <summary>The answer began but was cut off: Graph applied or refused it, we cannot tell which.</summary>
        CutOff,
    }

    /// <summary>A request that got no (whole) HTTP answer.</summary>
    internal sealed class TransportFailure : Exception
    {
        public TransportFailure(TransportFailureKind kind, string message, Exception? innerException) : base(message, innerException)
        {
            Kind = kind;
        }

        public TransportFailureKind Kind { get; }

        /// <summary>False only when the request certainly did not reach Graph.</summary>
        public bool MayHaveBeenApplied => Kind != TransportFailureKind.NotSent;

        /// <summary>Sorts an exception from sending: a connection never made means "not sent"; anything later is unknown.</summary>
        public static TransportFailureKind Classify(Exception exception)
        {
            for (var current = exception; current != null; current = current.InnerException)
            {
                if (current is HttpRequestException && IsProxyTunnelError(current))
                {
                    // The proxy refused the CONNECT (403, 407...): the request itself never left for Graph.
                    return TransportFailureKind.NotSent;
                }

                if (current is SocketException socket)
                {
                    switch (socket.SocketErrorCode)
                    {
                        case SocketError.ConnectionRefused:
                        case SocketError.HostNotFound:
                        case SocketError.HostUnreachable:
                        case SocketError.NetworkUnreachable:
                        case SocketError.NoData:
                        case SocketError.TryAgain:
                        case SocketError.AddressNotAvailable:
                            return TransportFailureKind.NotSent;
                    }

                    return TransportFailureKind.ConnectionLost;
                }

                if (current is WebException web && (web.Status == WebExceptionStatus.ConnectFailure || web.Status == WebExceptionStatus.NameResolutionFailure))
                {
                    // Windows PowerShell 5.1 (.NET Framework) reports a connection it could not make this way.
                    return TransportFailureKind.NotSent;
                }
            }

            return TransportFailureKind.ConnectionLost;
        }

        /// <summary>.NET 8+ says why a request failed (HttpRequestException.HttpRequestError); netstandard2.0 cannot name the property.</summary>
        private static bool IsProxyTunnelError(Exception exception)
        {
            try
            {
                return string.Equals(exception.GetType().GetProperty("HttpRequestError")?.GetValue(exception)?.ToString(), "ProxyTunnelError", StringComparison.Ordinal);
            }
            catch (Exception)
            {
                return false;
            }
        }
    }
}
