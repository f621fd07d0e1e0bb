using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Http.HttpClientLibrary.Extensions;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// Innermost handler, so every attempt is reported to the command that sent it, each on one verbose line: method,
    /// URL, the client-request-id it carries (and the proxy, when one is used), then the status, time, request-id Graph
    /// answered with and any Retry-After. Bodies go to the debug stream only. Headers are never logged: the
    /// Authorization header carries the token.
    /// </summary>
    internal sealed class GraphLoggingHandler : DelegatingHandler
    {
        public const string RetryAttemptHeader = "Retry-Attempt";

        private readonly SecretRedactor _redactor;

        public GraphLoggingHandler(SecretRedactor redactor)
        {
            _redactor = redactor;
        }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var events = request.GetRequestOption<EngineEventsOption>()?.Events ?? EngineEvents.None;
            if (!events.WantsVerbose && !events.WantsDebug)
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var url = request.RequestUri?.AbsoluteUri ?? string.Empty;
            var what = request.Method.Method + " " + url;
            var clientRequestId = request.Headers.TryGetValues("client-request-id", out var sent) ? sent.FirstOrDefault() : null;
            var tag = clientRequestId == null ? string.Empty : "client-request-id " + clientRequestId;
            var attempt = request.Headers.TryGetValues(RetryAttemptHeader, out var attempts) ? "retry " + attempts.FirstOrDefault() : null;
            var proxy = events.WantsVerbose ? SystemProxy.For(request.RequestUri) : null;
            events.Verbose(_redactor.Redact("HTTP " + what + Details(tag, attempt, proxy == null ? null : "via proxy " + proxy)));
            if (events.WantsDebug && request.Content != null)
            {
                // Buffered first, so reading it here leaves it whole for the wire.
                await request.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                events.Debug(_redactor.Redact("HTTP " + what + " request body" + Details(tag) + ": " + await request.Content.ReadAsStringAsync().ConfigureAwait(false)));
            }

            var watch = Stopwatch.StartNew();
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                var requestId = response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null;
                var retryAfter = response.Headers.TryGetValues("Retry-After", out var waits) ? "Retry-After " + waits.FirstOrDefault() : null;
                var status = "HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + " " + response.ReasonPhrase + " for " + what;
                events.Verbose(_redactor.Redact(status + Details(watch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms", tag, requestId == null ? null : "request-id " + requestId, retryAfter)));
                if (events.WantsDebug && response.Content != null)
                {
                    await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
                    if (body.Length > 0)
                    {
                        events.Debug(_redactor.Redact(status + " response body" + Details(tag) + ": " + body));
                    }
                }

                return response;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) || !cancellationToken.IsCancellationRequested)
            {
                events.Verbose(_redactor.Redact("HTTP " + what + " failed after " + watch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms" + Details(tag, proxy == null ? null : "via proxy " + proxy) + ": " + ex.Message));
                throw;
            }
        }

        /// <summary>" (a, b)" of the parts given; empty when none is.</summary>
        private static string Details(params string?[] parts)
        {
            var given = parts.Where(part => !string.IsNullOrEmpty(part)).ToArray();
            return given.Length == 0 ? string.Empty : " (" + string.Join(", ", given) + ")";
        }
    }
}
