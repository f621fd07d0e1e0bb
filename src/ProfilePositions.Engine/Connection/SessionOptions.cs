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
    }
}
