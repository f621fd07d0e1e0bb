using System.Collections.Generic;
using System.Threading;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// What one item's answer said besides its body, for -ResponseHeadersVariable: the headers of the last successful
    /// answer to the item's own requests (a plain response, or the item's entry in a $batch envelope, never the
    /// envelope's). Null until an answer arrived; a create found by reading after an unknown outcome has none.
    /// </summary>
    public sealed class ResponseNotes
    {
        private IReadOnlyDictionary<string, string>? _headers;

        /// <summary>Header names as Graph wrote them (looked up case-insensitively), repeated values joined with commas.</summary>
        public IReadOnlyDictionary<string, string>? Headers => Volatile.Read(ref _headers);

        // Written by the thread that read the answer, read by the command's pipeline thread after the item's task ended.
        internal void Record(IReadOnlyDictionary<string, string> headers) => Volatile.Write(ref _headers, headers);
    }
}
