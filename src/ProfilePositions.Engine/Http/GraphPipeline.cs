using System;
using System.Net.Http;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware.Options;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// The HTTP side of a connection: Microsoft.Graph.Core's default middleware (parameter-name decoding, user agent,
    /// headers/body inspection, Graph telemetry) without Kiota's retry handler (retries are decided per operation by
    /// <see cref="RetryPolicy"/>, for plain requests and $batch items alike: Kiota's replays a create that may have been
    /// committed), with redirects followed only within the same origin (a 307 elsewhere would carry the body and the
    /// answer of another server), a logging handler innermost, and a Kiota request adapter with our JSON factories on top.
    /// Timeouts are per request (-TimeoutSec), so the client itself never times out.
    /// </summary>
    internal static class GraphPipeline
    {
        public static HttpClientRequestAdapter CreateAdapter(IAuthenticationProvider authentication, SecretRedactor redactor, HttpMessageHandler? finalHandler, bool disposeFinalHandler, out HttpClient httpClient)
        {
            var handlers = GraphClientFactory.CreateDefaultHandlers();
            for (var i = handlers.Count - 1; i >= 0; i--)
            {
                if (handlers[i] is RetryHandler)
                {
                    handlers.RemoveAt(i);
                }
                else if (handlers[i] is RedirectHandler)
                {
                    handlers[i] = new RedirectHandler(new RedirectHandlerOption { ShouldRedirect = SameOrigin });
                }
            }

            handlers.Add(new GraphLoggingHandler(redactor));
            httpClient = finalHandler == null
                ? GraphClientFactory.Create(handlers, GraphPaths.ApiVersion)
                : GraphClientFactory.Create(handlers, GraphPaths.ApiVersion, GraphClientFactory.Global_Cloud, null, finalHandler, disposeFinalHandler);
            httpClient.Timeout = System.Threading.Timeout.InfiniteTimeSpan;
            return new HttpClientRequestAdapter(authentication, GraphJson.ParseNodeFactory, GraphJson.WriterFactory, httpClient);
        }

        /// <summary>A redirect is followed only to the scheme, host and port the request went to.</summary>
        internal static bool SameOrigin(HttpResponseMessage response)
        {
            var from = response.RequestMessage?.RequestUri;
            var to = response.Headers.Location;
            if (from == null || to == null)
            {
                return false;
            }

            if (!to.IsAbsoluteUri)
            {
                return true;
            }

            return string.Equals(from.Scheme, to.Scheme, StringComparison.OrdinalIgnoreCase)
                && string.Equals(from.Host, to.Host, StringComparison.OrdinalIgnoreCase)
                && from.Port == to.Port;
        }
    }
}
