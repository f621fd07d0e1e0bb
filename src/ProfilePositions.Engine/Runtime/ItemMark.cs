using System;
using System.Threading;

namespace ProfilePositions.Engine.Runtime
{
    /// <summary>
    /// Whether a write of one pipeline item has left this process, so a stopped run can tell the items whose outcome is
    /// unknown from those that were never sent. It travels with the item's async flow (set by the command while it starts
    /// the item, read by the dispatcher when a request goes out) instead of through every engine call in between, which
    /// do not need it.
    /// </summary>
    public sealed class ItemMark
    {
        private static readonly AsyncLocal<ItemMark?> CurrentMark = new AsyncLocal<ItemMark?>();
        private int _writeSent;

        /// <summary>A create, update or removal of this item was handed to the transport (it may have been applied).</summary>
        public bool WriteSent => Volatile.Read(ref _writeSent) == 1;

        internal static ItemMark? Current => CurrentMark.Value;

        /// <summary>Makes this the mark of the work started until the returned scope is disposed.</summary>
        public IDisposable Enter()
        {
            var previous = CurrentMark.Value;
            CurrentMark.Value = this;
            return new Scope(previous);
        }

        internal void NoteWriteSent() => Volatile.Write(ref _writeSent, 1);

        private sealed class Scope : IDisposable
        {
            private readonly ItemMark? _previous;

            public Scope(ItemMark? previous) => _previous = previous;

            public void Dispose() => CurrentMark.Value = _previous;
        }
    }
}
