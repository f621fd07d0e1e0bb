using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.State;

/// <summary>
/// Owns the tenant state: ids, timestamps, mutations and write-through persistence. Reads never take a global
/// lock; each user's positions have their own reader/writer lock.
/// </summary>
internal sealed class PositionStore
{
    private readonly Func<TenantState> _initialState;
    private readonly StateFile? _file;
    private readonly int _seed;
    private readonly object _idLock = new();
    private readonly object _persistLock = new();
    private ConcurrentDictionary<string, byte> _allIds = new(StringComparer.OrdinalIgnoreCase);
    private Random _idRandom;
    private volatile TenantState _state;
    private long _sequence;
    private long _lastTicks;
    private long _version;
    private long _persistedVersion;

    public PositionStore(int seed, StateFile? file, Func<JsonObject, JsonObject> normalizeLoaded)
    {
        _seed = seed;
        _file = file;
        _idRandom = new Random(DeriveSeed(seed));
        var initial = file?.Load();
        _initialState = () => Build(initial, normalizeLoaded);
        _state = _initialState();
        if (file is not null && initial is null)
        {
            // A new data file starts as the demo tenant, written at once so it exists even before the first change.
            file.Write(_state);
        }
    }

    public TenantState State => _state;

    /// <summary>Back to the initial content; the id sequence restarts so a seeded run replays.</summary>
    public void Reset()
    {
        lock (_idLock)
        {
            _idRandom = new Random(DeriveSeed(_seed));
            _allIds = new ConcurrentDictionary<string, byte>(StringComparer.OrdinalIgnoreCase);
            _state = _initialState();
        }

        Committed();
    }

    /// <summary>Adds a position; <paramref name="compose"/> receives the new id and timestamp and returns the full object.</summary>
    public StoredPosition Create(TenantUser user, Func<string, string, JsonObject> compose)
    {
        var state = _state;
        var created = state.PositionsOf(user).Write(mutator =>
        {
            var position = StoredPosition.From(compose(NewId(), SandboxJson.FormatTimestamp(NextTimestamp())), Interlocked.Increment(ref _sequence));
            mutator.Add(position);
            return position;
        });
        Committed();
        return created;
    }

    /// <summary>Replaces a position with what <paramref name="update"/> makes of it; null when the id is unknown.</summary>
    public StoredPosition? Update(TenantUser user, string id, Func<JsonObject, string, JsonObject> update)
    {
        var updated = _state.PositionsOf(user).Write(mutator =>
        {
            var existing = mutator.Find(id);
            if (existing is null)
            {
                return null;
            }

            var position = StoredPosition.From(update(existing.ToJsonObject(), SandboxJson.FormatTimestamp(NextTimestamp())), existing.Sequence);
            mutator.Replace(position);
            return position;
        });
        if (updated is not null)
        {
            Committed();
        }

        return updated;
    }

    public bool Delete(TenantUser user, string id)
    {
        var removed = _state.PositionsOf(user).Write(mutator =>
        {
            var existing = mutator.Find(id);
            if (existing is null)
            {
                return false;
            }

            mutator.Remove(existing);
            return true;
        });
        if (removed)
        {
            _allIds.TryRemove(id, out _);
            Committed();
        }

        return removed;
    }

    // Group commit: whoever holds the lock writes everything applied so far, so writers queued behind it
    // usually find their change already on disk. The response is sent only after this returns.
    private void Committed()
    {
        var mine = Interlocked.Increment(ref _version);
        if (_file is null)
        {
            return;
        }

        lock (_persistLock)
        {
            if (Interlocked.Read(ref _persistedVersion) >= mine)
            {
                return;
            }

            var snapshot = Interlocked.Read(ref _version);
            _file.Write(_state);
            Interlocked.Exchange(ref _persistedVersion, snapshot);
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
            var normalized = positions.Select(normalizeLoaded).ToList();
            foreach (var position in normalized)
            {
                position["id"] ??= NewId();
                _allIds.TryAdd(position["id"]!.GetValue<string>(), 0);
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
                    mutator.Add(StoredPosition.From(position.ToJsonObject(), Interlocked.Increment(ref _sequence)));
                }

                return 0;
            });
        }

        return state;
    }

    private static int DeriveSeed(int seed) => unchecked((seed * 31) + 0x1D5);
}
