using System.Threading;

namespace ProfilePositions.Engine.Batching
{
    /// <summary>What one command has sent so far, for its progress bar and summary; updated from any thread.</summary>
    public sealed class BulkCounters
    {
        private long _requests;
        private long _envelopes;
        private long _throttled;
        private long _retries;
        private long _waiting;
        private int _inFlightLimit;

        /// <summary>HTTP requests sent: plain requests and $batch envelopes.</summary>
        public long Requests => Interlocked.Read(ref _requests);

        /// <summary>$batch envelopes sent.</summary>
        public long Envelopes => Interlocked.Read(ref _envelopes);

        /// <summary>Answers of 429 (items or envelopes).</summary>
        public long Throttled => Interlocked.Read(ref _throttled);

        /// <summary>Attempts that were sent again.</summary>
        public long Retries => Interlocked.Read(ref _retries);

        /// <summary>Operations waiting out a Retry-After or a back-off right now.</summary>
        public long WaitingToRetry => Interlocked.Read(ref _waiting);

        /// <summary>How many envelopes (or plain requests) may be in flight now: -ThrottleLimit, less while Graph throttles.</summary>
        public int InFlightLimit => Volatile.Read(ref _inFlightLimit);

        internal void Sent(bool envelope)
        {
            Interlocked.Increment(ref _requests);
            if (envelope)
            {
                Interlocked.Increment(ref _envelopes);
            }
        }

        internal void Throttle() => Interlocked.Increment(ref _throttled);

        internal void RetryWaitStarted()
        {
            Interlocked.Increment(ref _retries);
            Interlocked.Increment(ref _waiting);
        }

        internal void RetryWaitEnded() => Interlocked.Decrement(ref _waiting);

        internal void Limit(int limit) => Volatile.Write(ref _inFlightLimit, limit);
    }
}
