using System;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Polly;
using Polly.Retry;

namespace ProfilePositions.Engine.Http
{
    /// <summary>What one attempt's result asks for next.</summary>
    internal enum RetryVerdict
    {
        /// <summary>Done: a result, or a failure that sending again would not change.</summary>
        Done,

        /// <summary>Send again after the wait: throttled (429), a 5xx whose outcome is unknown (500, 502, 503, 504...),
        /// not sent, or a read or a change that is safe to repeat.</summary>
        Retry,

        /// <summary>A create whose outcome is unknown: after the wait, read first, and send again only if it is not there.</summary>
        ReconcileThenRetry,
    }

    /// <summary>
    /// When to try again and how long to wait, one policy for plain requests and $batch items alike (a handler inside the
    /// HTTP pipeline cannot see a 429 inside a 200 envelope). Built on Polly.Core's retry strategy: Retry-After in every
    /// form Graph uses (delta seconds, also fractional as in Graph's own sample, or an HTTP-date) plus a small margin, so a
    /// retry never arrives early; capped exponential back-off with jitter when there is none; at most MaxRetries more
    /// attempts; no retry at all when Graph asks to wait longer than MaxDelay (the caller reports the wait instead).
    /// </summary>
    internal sealed class RetryPolicy
    {
        private readonly object _gate = new object();
        private ResiliencePipeline<AttemptResult>? _pipeline;

        public int MaxRetries { get; set; } = 3;

        /// <summary>The first back-off delay when Graph gives no Retry-After; it doubles each time, up to MaxDelay.</summary>
        public TimeSpan BaseDelay { get; set; } = TimeSpan.FromSeconds(3);

        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(180);

        /// <summary>Spread back-off delays so that many items do not come back at the same instant (tests turn it off).</summary>
        public bool UseJitter { get; set; } = true;

        /// <summary>How waits happen; tests replace it so that no test sleeps.</summary>
        public TimeProvider Time { get; set; } = TimeProvider.System;

        /// <summary>The same policy with another retry limit (-MaxRetry).</summary>
        public RetryPolicy WithMaxRetries(int maxRetries) => new RetryPolicy
        {
            MaxRetries = maxRetries,
            BaseDelay = BaseDelay,
            MaxDelay = MaxDelay,
            UseJitter = UseJitter,
            Time = Time,
        };

        /// <summary>What is added to every Retry-After: 5 % of it, at least 50 ms and at most 2 s.</summary>
        public static TimeSpan Margin(TimeSpan retryAfter) =>
            TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(2).Ticks, Math.Max(TimeSpan.FromMilliseconds(50).Ticks, retryAfter.Ticks / 20)));

        /// <summary>The wait a Retry-After asks for, with the margin, in whole milliseconds (timers count no finer); null when there is none.</summary>
        public static TimeSpan? WaitFor(TimeSpan? retryAfter) =>
            retryAfter.HasValue ? TimeSpan.FromMilliseconds(Math.Ceiling((retryAfter.Value + Margin(retryAfter.Value)).TotalMilliseconds)) : (TimeSpan?)null;

        /// <summary>The pipeline every attempt of an operation runs through (thread-safe; built once).</summary>
        public ResiliencePipeline<AttemptResult> Pipeline
        {
            get
            {
                lock (_gate)
                {
                    return _pipeline ??= Build();
                }
            }
        }

        /// <summary>
        /// Runs an operation's attempts through <see cref="Pipeline"/>. The first attempt runs first on its own: when it
        /// is done (most are), the pipeline would hand it back untouched (a done attempt is never retried, a failure that
        /// escapes an attempt is never handled), so it is not entered at all, which spares every item of a bulk run its
        /// per-execution work. Otherwise the pipeline takes over with that attempt as its first outcome (the same retry
        /// numbers, waits and OnRetry calls as if it had made it) and makes the later ones.
        /// </summary>
        public static async Task<AttemptResult> RunAsync(RetryPolicy policy, Func<CancellationToken, ValueTask<AttemptResult>> attempt, CancellationToken cancellationToken)
        {
            // The pipeline does not start an attempt once cancelled.
            cancellationToken.ThrowIfCancellationRequested();
            var first = await attempt(cancellationToken).ConfigureAwait(false);
            if (first.Verdict == RetryVerdict.Done)
            {
                return first;
            }

            var pending = first;
            return await policy.Pipeline.ExecuteAsync(
                token =>
                {
                    var made = pending;
                    if (made != null)
                    {
                        pending = null;
                        return new ValueTask<AttemptResult>(made);
                    }

                    return attempt(token);
                },
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Delta-seconds (also fractional) or an HTTP-date; null when absent or unreadable.</summary>
        public TimeSpan? RetryAfter(string? retryAfter)
        {
            var raw = retryAfter?.Trim();
            if (string.IsNullOrEmpty(raw))
            {
                return null;
            }

            if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return TimeSpan.FromSeconds(Math.Max(0, seconds));
            }

            if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
            {
                var wait = date - Time.GetUtcNow();
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }

            return null;
        }

        private ResiliencePipeline<AttemptResult> Build()
        {
            var options = new RetryStrategyOptions<AttemptResult>
            {
                MaxRetryAttempts = Math.Max(0, MaxRetries) == 0 ? 1 : MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = UseJitter,
                Delay = BaseDelay,
                MaxDelay = MaxDelay,
                ShouldHandle = arguments => new ValueTask<bool>(MaxRetries > 0 && ShouldRetry(arguments.Outcome.Result)),
                DelayGenerator = arguments => new ValueTask<TimeSpan?>(WaitFor(arguments.Outcome.Result?.RetryAfter)),
                OnRetry = arguments =>
                {
                    arguments.Outcome.Result?.OnRetry?.Invoke(arguments.AttemptNumber + 1, arguments.RetryDelay);
                    return default;
                },
            };
            return new ResiliencePipelineBuilder<AttemptResult> { TimeProvider = Time }.AddRetry(options).Build();
        }

        private bool ShouldRetry(AttemptResult? result) =>
            result != null && result.Verdict != RetryVerdict.Done && !(result.RetryAfter > MaxDelay);
    }

    /// <summary>One attempt of an operation and what it asks for next.</summary>
    internal sealed class AttemptResult
    {
        public AttemptResult(RetryVerdict verdict, RawResponse? response, TransportFailure? failure, TimeSpan? retryAfter)
        {
            Verdict = verdict;
            Response = response;
            Failure = failure;
            RetryAfter = retryAfter;
        }

        public RetryVerdict Verdict { get; }

        /// <summary>The answer, when there was one.</summary>
        public RawResponse? Response { get; }

        /// <summary>Why there was no (whole) answer.</summary>
        public TransportFailure? Failure { get; }

        /// <summary>What Graph asked to wait (without the margin).</summary>
        public TimeSpan? RetryAfter { get; }

        /// <summary>A create found by the read that follows an unknown outcome: the result, nothing is sent again.</summary>
        public WorkPosition? Reconciled { get; set; }

        /// <summary>Told the retry number and the wait just before it waits (for the verbose line).</summary>
        public Action<int, TimeSpan>? OnRetry { get; set; }
    }
}
