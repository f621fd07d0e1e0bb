namespace ProfilePositions.Sandbox.State;

/// <summary>One user's positions in creation order. A reader/writer lock per user keeps reads parallel.</summary>
internal sealed class UserPositions
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly List<StoredPosition> _items = [];
    private readonly Dictionary<string, StoredPosition> _byId = new(StringComparer.Ordinal);

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try
            {
                return _items.Count;
            }
            finally
            {
                _lock.ExitReadLock();
            }
        }
    }

    public T Read<T>(Func<IReadOnlyList<StoredPosition>, T> reader)
    {
        _lock.EnterReadLock();
        try
        {
            return reader(_items);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public StoredPosition? Find(string id)
    {
        _lock.EnterReadLock();
        try
        {
            return _byId.GetValueOrDefault(id);
        }
        finally
        {
            _lock.ExitReadLock();
        }
    }

    public T Write<T>(Func<Mutator, T> writer)
    {
        _lock.EnterWriteLock();
        try
        {
            return writer(new Mutator(this));
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Only handed out inside the write lock.</summary>
    internal readonly struct Mutator(UserPositions owner)
    {
        public StoredPosition? Find(string id) => owner._byId.GetValueOrDefault(id);

        public void Add(StoredPosition position)
        {
            owner._items.Add(position);
            owner._byId[position.Id] = position;
        }

        public void Replace(StoredPosition position)
        {
            var index = IndexOf(position.Sequence);
            owner._items[index] = position;
            owner._byId[position.Id] = position;
        }

        public void Remove(StoredPosition position)
        {
            owner._items.RemoveAt(IndexOf(position.Sequence));
            owner._byId.Remove(position.Id);
        }

        // Items stay sorted by sequence, so a binary search finds the slot.
        private int IndexOf(long sequence)
        {
            int low = 0, high = owner._items.Count - 1;
            while (low <= high)
            {
                var middle = (low + high) >>> 1;
                var current = owner._items[middle].Sequence;
                if (current == sequence)
                {
                    return middle;
                }

                if (current < sequence)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }

            throw new InvalidOperationException("Stored position vanished.");
        }
    }
}
