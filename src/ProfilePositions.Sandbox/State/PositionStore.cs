using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.State;

/// <summary>
/// Owns the tenant state: ids, timestamps and mutations. Reads never take a global lock; each user's positions have
/// their own reader/writer lock. With <c>--data</c> every change is queued to the store under that lock (so the store
/// sees changes in the order memory made them) and written before the call returns, so before the response is sent.
/// </summary>
internal sealed class PositionStore
{
    private readonly Func<TenantState> _initialState;
    private readonly TenantStore? _durable;
    private readonly int _seed;
    private readonly object _idLock = new();
    private ConcurrentDictionary<string, byte> _allIds = new(StringComparer.OrdinalIgnoreCase);
    private Random _idRandom;
    private volatile TenantState _state;
    private long _sequence;
    private long _lastTicks;

    /// <param name="durable">The <c>--data</c> store: its seed is what reset restores, its content (if any) the start state.</param>
    public PositionStore(int seed, TenantStore? durable, Func<JsonObject, JsonObject> normalizeLoaded)
    {
        _seed = seed;
        _durable = durable;
        _idRandom = new Random(DeriveSeed(seed));
        _initialState = () => Build(durable?.Seed, normalizeLoaded);
        _state = durable?.Stored is { } stored ? Load(stored, durable.Files, normalizeLoaded) : _initialState();
        durable?.Start(_state);
    }

    public TenantState State => _state;

    /// <summary>Back to the initial content (the seed); the id sequence restarts so a seeded run replays.</summary>
    public void Reset()
    {
        StoreChange? change;
        lock (_idLock)
        {
            _durable?.ThrowIfFailed();
            _idRandom = new Random(DeriveSeed(_seed));
            _allIds = new ConcurrentDictionary<string, byte>(StringComparer.OrdinalIgnoreCase);
            var state = _initialState();

            // Queued before the new state is published, so every change made to it is queued after the restore.
            change = _durable?.Enqueue(StoreChangeKind.Restore, state, string.Empty, null);
            _state = state;
        }

        Written(change);
    }

    /// <summary>Adds a position; <paramref name="compose"/> receives the new id and timestamp and returns the full object.</summary>
    public StoredPosition Create(TenantUser user, Func<string, string, JsonObject> compose)
    {
        var state = _state;
        _durable?.ThrowIfFailed();
        StoreChange? change = null;
        var created = state.PositionsOf(user).Write(mutator =>
        {
            var position = StoredPosition.From(compose(NewId(), SandboxJson.FormatTimestamp(NextTimestamp())), Interlocked.Increment(ref _sequence));
            mutator.Add(position);
            change = _durable?.Enqueue(StoreChangeKind.Add, state, user.Id, position);
            return position;
        });
        Written(change);
        return created;
    }

    /// <summary>Replaces a position with what <paramref name="update"/> makes of it; null when the id is unknown.</summary>
    public StoredPosition? Update(TenantUser user, string id, Func<JsonObject, string, JsonObject> update)
    {
        var state = _state;
        _durable?.ThrowIfFailed();
        StoreChange? change = null;
        var updated = state.PositionsOf(user).Write(mutator =>
        {
            var existing = mutator.Find(id);
            if (existing is null)
            {
                return null;
            }

            var position = StoredPosition.From(update(existing.ToJsonObject(), SandboxJson.FormatTimestamp(NextTimestamp())), existing.Sequence);
            mutator.Replace(position);
            change = _durable?.Enqueue(StoreChangeKind.Replace, state, user.Id, position);
            return position;
        });
        Written(change);
        return updated;
    }

    public bool Delete(TenantUser user, string id)
    {
        var state = _state;
        _durable?.ThrowIfFailed();
        StoreChange? change = null;
        var removed = state.PositionsOf(user).Write(mutator =>
        {
            var existing = mutator.Find(id);
            if (existing is null)
            {
                return false;
            }

            mutator.Remove(existing);
            change = _durable?.Enqueue(StoreChangeKind.Remove, state, user.Id, existing);
            return true;
        });
        if (removed)
        {
            _allIds.TryRemove(id, out _);
        }

        Written(change);
        return removed;
    }

    // The response is sent only once the change is in the store (in the OS, or on disk with fsync): a Graph request
    // waits for it before its response (PendingWrites), anything else here.
    private void Written(StoreChange? change)
    {
        if (change is null)
        {
            return;
        }

        if (PendingWrites.Current is { } pending)
        {
            pending.Add(_durable!, change);
        }
        else
        {
            _durable!.WaitWritten(change);
        }
    }

    private string NewId()
    {
        Span<byte> bytes = stackalloc byte[16];
        lock (_idLock)
        {
            while (true)
            {
                _idRandom.NextBytes(bytes);
                bytes[7] = (byte)((bytes[7] & 0x0F) | 0x40); // version 4 in Guid's little-endian layout
                bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
                var id = new Guid(bytes).ToString();
                if (_allIds.TryAdd(id, 0))
                {
                    return id;
                }
            }
        }
    }

    // Strictly increasing, so creation order and createdDateTime order agree even within one clock tick.
    private DateTime NextTimestamp()
    {
        while (true)
        {
            var last = Interlocked.Read(ref _lastTicks);
            var now = Math.Max(DateTime.UtcNow.Ticks, last + 1);
            if (Interlocked.CompareExchange(ref _lastTicks, now, last) == last)
            {
                return new DateTime(now, DateTimeKind.Utc);
            }
        }
    }

    private TenantState Build(LoadedState? loaded, Func<JsonObject, JsonObject> normalizeLoaded)
    {
        if (loaded is null)
        {
            return new TenantState(DemoTenant.Users);
        }

        var state = new TenantState(loaded.Users);
        foreach (var (userKey, positions) in loaded.Positions)
        {
            var user = state.FindUser(userKey) ?? throw new InvalidDataException($"The data file has positions for unknown user '{userKey}'.");
            var ids = new HashSet<string>(StringComparer.Ordinal);
            var normalized = positions.Select(normalizeLoaded).ToList();
            foreach (var position in normalized)
            {
                position["id"] ??= NewId();
                var id = position["id"]!.GetValue<string>();
                if (!ids.Add(id))
                {
                    throw new InvalidDataException($"The data file has the position id '{id}' twice for user '{userKey}'.");
                }

                _allIds.TryAdd(id, 0);
            }

            state.PositionsOf(user).Write(mutator =>
            {
                var ordered = normalized
                    .Select(position => StoredPosition.From(position, Interlocked.Increment(ref _sequence)))
                    .OrderBy(position => position.CreatedDateTime ?? DateTimeOffset.MinValue)
                    .ThenBy(position => position.Sequence)
                    .ToList();
                foreach (var position in ordered)
                {
                    // Re-number in creation order so the list stays sorted by sequence.
                    mutator.Add(position.WithSequence(Interlocked.Increment(ref _sequence)));
                }

                return 0;
            });
        }

        return state;
    }

    // A store's rows keep their sequence numbers (already in creation order), so their keys stay valid. Rows this
    // build of the sandbox wrote are taken as they are; others are normalised again (and Start writes them back).
    private TenantState Load(StoredContent stored, DataFiles files, Func<JsonObject, JsonObject> normalizeLoaded)
    {
        var state = new TenantState(stored.Users);
        foreach (var row in stored.Rows)
        {
            StoredPosition position;
            try
            {
                position = stored.Normalized
                    ? StoredPosition.FromJson(row.Json, row.Sequence)
                    : StoredPosition.From(normalizeLoaded(ParseStored(row.Json)), row.Sequence);
            }
            catch (InvalidDataException error)
            {
                throw new InvalidDataException($"The store '{files.StorePath}' is damaged: {error.Message} Start with --reseed to make it again from '{files.JsonPath}'.", error);
            }

            var user = state.FindUser(row.UserId) ?? throw new InvalidDataException($"The store '{files.StorePath}' is damaged: it has positions of the unknown user '{row.UserId}'.");
            _allIds.TryAdd(position.Id, 0);
            state.PositionsOf(user).Write(mutator =>
            {
                mutator.Add(position);
                return 0;
            });
            _sequence = Math.Max(_sequence, row.Sequence);
        }

        return state;
    }

    private static JsonObject ParseStored(byte[] json)
    {
        try
        {
            return JsonNode.Parse(json) as JsonObject ?? throw new InvalidDataException("The store holds a position that is not a JSON object.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The store holds a position that is not valid JSON: {error.Message}", error);
        }
    }

    private static int DeriveSeed(int seed) => unchecked((seed * 31) + 0x1D5);
}
