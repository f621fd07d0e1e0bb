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
    /// Innermost handler, so every attempt is reported to the command that sent it: method, URL, status, request-id,
    /// time. Headers are never logged: the Authorization header carries the token.
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
            if (!events.WantsVerbose)
            {
                return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            }

            var url = request.RequestUri?.AbsoluteUri ?? string.Empty;
            var attempt = request.Headers.TryGetValues(RetryAttemptHeader, out var attempts) ? " (retry " + attempts.FirstOrDefault() + ")" : string.Empty;
            events.Verbose(_redactor.Redact("HTTP " + request.Method.Method + " " + url + attempt));
            var watch = Stopwatch.StartNew();
            try
            {
                var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
                var requestId = response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null;
                var retryAfter = response.Headers.TryGetValues("Retry-After", out var waits) ? ", Retry-After " + waits.FirstOrDefault() : string.Empty;
                events.Verbose(_redactor.Redact("HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture) + " " + response.ReasonPhrase + " for " + request.Method.Method + " " + url +
                    " (" + watch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms" + (requestId == null ? string.Empty : ", request-id " + requestId) + retryAfter + ")"));
                return response;
            }
            catch (Exception ex) when (!(ex is OperationCanceledException) || !cancellationToken.IsCancellationRequested)
            {
                events.Verbose(_redactor.Redact("HTTP " + request.Method.Method + " " + url + " failed after " + watch.ElapsedMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms: " + ex.Message));
                throw;
            }
        }
    }
}
