using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// Takes the place of Kiota's RetryHandler in Graph's default pipeline. Kiota's handler replays a POST whose
    /// body has a length (every serialised Kiota body does) on 503/504, which can duplicate a create the server
    /// committed; it reads a fractional Retry-After ("2.128", Graph's own sample) as its flat default; it uses only
    /// the seconds component of an HTTP-date; it comes back after 180 s even when told to wait longer; and it throws
    /// when retries run out. This handler: retries 429/503/504, a POST only on 429 (a throttled request was not
    /// processed; GraphPositionService re-sends a create after 5xx or a dropped connection only once it has read the
    /// positions and found the create was not committed), never a body it cannot replay byte for byte, honours every Retry-After form, does not retry when
    /// asked to wait longer than MaxDelay, and returns the last response so the caller reports Graph's error.
    /// </summary>
    internal sealed class GraphRetryHandler : DelegatingHandler
    {
        public const string RetryAttemptHeader = "Retry-Attempt";

        public int MaxRetries { get; set; } = 3;

        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(3);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(180);

        /// <summary>How to wait; tests replace it so no test sleeps.</summary>
        public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (delay, token) => Task.Delay(delay, token);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            byte[]? body = null;
            var replayable = request.Content == null;
            if (request.Content != null && request.Content.Headers.ContentLength.HasValue)
            {
                // A body with a known length is already in memory: keep its bytes so a retry sends exactly the same.
                body = await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
                replayable = true;
            }

            var current = request;
            var response = await base.SendAsync(current, cancellationToken).ConfigureAwait(false);
            for (var attempt = 1; attempt <= MaxRetries; attempt++)
            {
                if (!replayable || !IsRetriable(request.Method, (int)response.StatusCode))
                {
                    break;
                }

                var delay = RetryDelay(response, attempt);
                if (delay > MaxDelay)
                {
                    // Coming back early only earns another 429; the caller reports the wait instead.
                    break;
                }

                response.Dispose();
                await Delay(delay, cancellationToken).ConfigureAwait(false);
                current = Clone(request, body, attempt);
                response = await base.SendAsync(current, cancellationToken).ConfigureAwait(false);
            }

            return response;
        }

        internal static bool IsRetriable(HttpMethod method, int status)
        {
            if (status == 429)
            {
                return true;
            }

            if (status != 503 && status != 504)
            {
                return false;
            }

            // The server may have committed a create before failing; sending it again could duplicate it.
            return method != HttpMethod.Post;
        }

        internal TimeSpan RetryDelay(HttpResponseMessage response, int attempt) => RetryDelay(RetryAfterSeconds(response), attempt);

        /// <summary>The wait before retry number <paramref name="attempt"/>: Retry-After when the server gave one, else exponential back-off.</summary>
        internal TimeSpan RetryDelay(double? seconds, int attempt)
        {
            if (seconds.HasValue)
            {
                return TimeSpan.FromSeconds(Math.Max(0, seconds.Value));
            }

            return TimeSpan.FromTicks(BaseDelay.Ticks * (1L << Math.Min(attempt - 1, 16)));
        }

        /// <summary>Delta-seconds (also fractional, as Graph's docs show) or an HTTP-date; null when absent or unreadable.</summary>
        internal static double? RetryAfterSeconds(HttpResponseMessage response)
        {
            var retryAfter = response.Headers.RetryAfter;
            if (retryAfter?.Delta != null)
            {
                return retryAfter.Delta.Value.TotalSeconds;
            }

            if (retryAfter?.Date != null)
            {
                return (retryAfter.Date.Value - DateTimeOffset.UtcNow).TotalSeconds;
            }

            // The typed parser refuses "2.128"; the raw value is still there.
            return response.Headers.TryGetValues("Retry-After", out var values) ? RetryAfterSeconds(values.FirstOrDefault()) : null;
        }

        /// <summary>A raw Retry-After value: delta-seconds (also fractional) or an HTTP-date; null when absent or unreadable.</summary>
        internal static double? RetryAfterSeconds(string? retryAfter)
        {
            var raw = retryAfter?.Trim();
            if (string.IsNullOrEmpty(raw))
            {
                return null;
            }

            if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }

            if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                return (date - DateTimeOffset.UtcNow).TotalSeconds;
            }

            return null;
        }

        private static HttpRequestMessage Clone(HttpRequestMessage original, byte[]? body, int attempt)
        {
            var clone = new HttpRequestMessage(original.Method, original.RequestUri) { Version = original.Version };
            foreach (var header in original.Headers)
            {
                if (!string.Equals(header.Key, RetryAttemptHeader, StringComparison.OrdinalIgnoreCase))
                {
                    clone.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            clone.Headers.TryAddWithoutValidation(RetryAttemptHeader, attempt.ToString(CultureInfo.InvariantCulture));
#if NET5_0_OR_GREATER
            foreach (var option in original.Options)
            {
                ((IDictionary<string, object?>)clone.Options)[option.Key] = option.Value;
            }
#else
            foreach (var property in original.Properties)
            {
                clone.Properties[property.Key] = property.Value;
            }
#endif
            if (original.Content != null && body != null)
            {
                clone.Content = new ByteArrayContent(body);
                foreach (var header in original.Content.Headers)
                {
                    clone.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }
            }

            return clone;
        }
    }
}
