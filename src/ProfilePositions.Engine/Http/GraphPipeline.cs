using System;
using System.Net.Http;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// The HTTP side of a connection: Microsoft.Graph.Core's default middleware (redirect, parameter-name decoding,
    /// user agent, headers/body inspection, Graph telemetry) with our retry handler in place of Kiota's, a logging
    /// handler innermost, and a Kiota HttpClientRequestAdapter with our JSON factories on top.
    /// </summary>
    internal static class GraphPipeline
    {
        public static HttpClientRequestAdapter CreateAdapter(IAuthenticationProvider authentication, SecretRedactor redactor, HttpMessageHandler? finalHandler, out HttpClient httpClient, out GraphRetryHandler retry, Action<GraphRetryHandler>? configureRetry = null)
        {
            var handlers = GraphClientFactory.CreateDefaultHandlers();
            retry = new GraphRetryHandler();
            configureRetry?.Invoke(retry);
            var replaced = false;
            for (var i = 0; i < handlers.Count; i++)
            {
                if (handlers[i] is RetryHandler)
                {
                    handlers[i] = retry;
                    replaced = true;
                }
            }

            if (!replaced)
            {
                handlers.Insert(0, retry);
            }

            handlers.Add(new GraphLoggingHandler(redactor));
            httpClient = finalHandler == null
                ? GraphClientFactory.Create(handlers, GraphPaths.ApiVersion)
                : GraphClientFactory.Create(handlers, GraphPaths.ApiVersion, GraphClientFactory.Global_Cloud, null, finalHandler, disposeHandler: false);
            return new HttpClientRequestAdapter(authentication, GraphJson.ParseNodeFactory, GraphJson.WriterFactory, httpClient);
        }
    }
}
