using System;
using System.Collections.Concurrent;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// The positions this connection created or found as the result of a create: a create whose outcome was unknown
    /// never takes a position that is another item's result, so two identical rows stay two positions. Owned by the
    /// connection, shared by every command and thread that uses it; claiming is atomic.
    /// </summary>
    internal sealed class ClaimedPositions
    {
        private readonly ConcurrentDictionary<string, byte> _ids = new ConcurrentDictionary<string, byte>(StringComparer.Ordinal);

        /// <summary>True when this call claimed the id; false when it already belonged to something.</summary>
        public bool TryClaim(string id) => _ids.TryAdd(id, 0);

        public bool IsClaimed(string id) => _ids.ContainsKey(id);

        public int Count => _ids.Count;
    }
}
