using System;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>How one command uses its connection.</summary>
    public sealed class SessionOptions
    {
        /// <summary>Where the engine reports while it works; the command writes these on its pipeline thread.</summary>
        public EngineEvents Events { get; set; } = EngineEvents.None;

        /// <summary>How long one attempt waits for its answer (-TimeoutSec).</summary>
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

        /// <summary>How many times an operation may be sent again (-MaxRetry); null keeps the connection's (3).</summary>
        public int? MaxRetries { get; set; }

        /// <summary>Operations per $batch envelope (-BatchSize, 1 to 20); 1 sends plain requests.</summary>
        public int BatchSize { get; set; } = 1;

        /// <summary>Envelopes (or plain requests) in flight at once (-ThrottleLimit); fewer while Graph throttles.</summary>
        public int ThrottleLimit { get; set; } = 1;

        /// <summary>How long the first queued operation may wait for others to fill its envelope while input still comes.</summary>
        public TimeSpan Linger { get; set; } = TimeSpan.FromMilliseconds(5);

        /// <summary>
        /// Extra headers for every request the session's operations send (-Headers), in each $batch item, never on the
        /// envelope. The command checks them (no Authorization, no Host).
        /// </summary>
        public System.Collections.Generic.IReadOnlyDictionary<string, string>? Headers { get; set; }

        /// <summary>Filled in as the session sends: requests, envelopes, throttling, retries waiting.</summary>
        public Batching.BulkCounters Counters { get; set; } = new Batching.BulkCounters();
    }
}
