using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace ProfilePositions.Sandbox.State;

internal enum StoreChangeKind
{
    Add,
    Replace,
    Remove,

    /// <summary>Every position replaced by those of <see cref="StoreChange.State"/> (reset to the seed).</summary>
    Restore,
}

/// <summary>One change to the store, queued in the order it was made in memory (under the user's lock).</summary>
internal sealed class StoreChange(StoreChangeKind kind, TenantState state, string userId, StoredPosition? position)
{
    private volatile bool _written;

    public StoreChangeKind Kind { get; } = kind;

    /// <summary>The in-memory state the change was made to; changes to a state that a reset has replaced are dropped.</summary>
    public TenantState State { get; } = state;

    public string UserId { get; } = userId;

    /// <summary>The position added, replaced or removed; its <see cref="StoredPosition.Sequence"/> is its row's key.</summary>
    public StoredPosition? Position { get; } = position;

    /// <summary>For a restore: every position of <see cref="State"/> when it was queued, before anyone could change it.</summary>
    public IReadOnlyList<(string UserId, StoredPosition Position)>? Positions { get; init; }

    public bool Written
    {
        get => _written;
        set => _written = value;
    }
}

/// <summary>One stored position: its key (the in-memory sequence number, which keeps creation order) and its JSON.</summary>
internal sealed record StoredRow(long Sequence, string UserId, byte[] Json);

/// <summary>
/// What a store held when it was opened. <see cref="Normalized"/> is false when another build of the sandbox wrote
/// it, so its positions are normalised again (and written back) instead of being taken as they are.
/// </summary>
internal sealed record StoredContent(IReadOnlyList<TenantUser> Users, IReadOnlyList<StoredRow> Rows, bool Normalized);

/// <summary>
/// The store of <c>--data</c>: an SQLite database in WAL mode beside the JSON file, opened by one sandbox at a time
/// (exclusive locking, so no <c>-shm</c> file). It holds the users, the positions (one row each, keyed by the
/// in-memory sequence number, so a write touches one row and no index), the seed's bytes (what reset restores) and
/// the seed's SHA-256 (to notice an edited file). A write is committed before its response is sent; concurrent
/// writers share one commit (group commit).
/// </summary>
internal sealed class TenantStore : IDisposable
{
    private const string Format = "2";

    private readonly SqliteConnection _connection;
    private readonly object _lock = new();
    private readonly object _commitEnded = new();
    private long _commits;
    private TaskCompletionSource _nextCommitEnd = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentQueue<StoreChange> _queue = new();
    private Lazy<LoadedState> _seed;
    private byte[]? _newSeedJson;
    private readonly SqliteCommand _add;
    private readonly SqliteCommand _replace;
    private readonly SqliteCommand _remove;
    private readonly SqliteCommand _clear;
    private readonly SqliteCommand _begin;
    private readonly SqliteCommand _commit;
    private readonly SqliteCommand _rollback;
    private TenantState? _current;
    private IOException? _failure;
    private bool _disposed;
    private bool _madeNow;

    private TenantStore(DataFiles files, SqliteConnection connection, LoadedState? newSeed, byte[]? newSeedJson, StoredContent? stored, string description)
    {
        Files = files;
        _connection = connection;
        _newSeedJson = newSeedJson;
        Stored = stored;
        Description = description;

        // A kept store's seed is read only when reset needs it (it can be as large as the store).
        _seed = newSeed is null ? new Lazy<LoadedState>(ReadSeed) : new Lazy<LoadedState>(newSeed);
        _add = Command("INSERT INTO positions(seq, user_id, id, json) VALUES ($seq, $user, $id, $json)", "$seq", "$user", "$id", "$json");
        _replace = Command("UPDATE positions SET json = $json WHERE seq = $seq", "$seq", "$json");
        _remove = Command("DELETE FROM positions WHERE seq = $seq", "$seq");
        _clear = Command("DELETE FROM positions");

        // A commit per write, often of one change: prepared once, BEGIN and COMMIT cost what the insert costs, where
        // BeginTransaction would parse and finalise its statements at every commit.
        _begin = Command("BEGIN IMMEDIATE");
        _commit = Command("COMMIT");
        _rollback = Command("ROLLBACK");
    }

    public DataFiles Files { get; }

    /// <summary>What reset restores: the JSON the store was made from.</summary>
    public LoadedState Seed => _seed.Value;

    /// <summary>The users and positions kept in the store; null when it was just made and waits for <see cref="Start"/>.</summary>
    public StoredContent? Stored { get; }

    /// <summary>One line for the start-up banner: where the state comes from.</summary>
    public string Description { get; }

    // Positions are stored as this build of the sandbox normalised them; another build normalises them again.
    private static string Normalizer { get; } = typeof(TenantStore).Assembly.ManifestModule.ModuleVersionId.ToString();

    /// <summary>
    /// Opens the store of <paramref name="files"/>, or makes it from the JSON file (or the demo tenant, which is then
    /// written to the JSON file) when it does not exist yet or <paramref name="reseed"/> is set.
    /// </summary>
    /// <exception cref="InvalidDataException">The JSON file or the store is damaged, or the JSON file changed after the store was made.</exception>
    /// <exception cref="IOException">The store is in use by another process or cannot be opened.</exception>
    public static TenantStore Open(DataFiles files, SandboxDurability durability, bool reseed)
    {
        if (reseed)
        {
            DeleteIfDamaged(files);
        }

        // A start that fails leaves no store behind that was not there before it.
        Directory.CreateDirectory(Path.GetDirectoryName(files.StorePath)!);
        var existed = File.Exists(files.StorePath);
        SqliteConnection? connection = null;
        try
        {
            connection = Connect(files, durability);
            var opened = connection;
            var store = Guard(files, () => OpenOn(files, opened, reseed));
            store._madeNow = !existed;
            return store;
        }
        catch
        {
            connection?.Dispose();
            if (!existed)
            {
                DeleteStore(files);
            }

            throw;
        }
    }

    /// <summary>Writes the store's users and positions in the JSON form to <paramref name="target"/>; returns the number of positions.</summary>
    public static int Export(DataFiles files, Stream target)
    {
        if (!File.Exists(files.StorePath))
        {
            throw new IOException($"There is no store '{files.StorePath}' to export: the sandbox has not run with --data {files.JsonPath} yet, and the JSON file itself is the data.");
        }

        using var connection = Connect(files, SandboxDurability.Os);
        return Guard(files, () =>
        {
            if (!IsSeeded(connection))
            {
                throw new InvalidDataException($"The store '{files.StorePath}' was never completed (a first start was stopped while it was being made); there is nothing to export.");
            }

            CheckFormat(files, connection);
            var content = ReadContent(connection);
            using var writer = new Utf8JsonWriter(target, SandboxJson.WriterOptions);
            WriteJson(writer, content);
            return content.Rows.Count;
        });
    }

    /// <summary>
    /// Starts following <paramref name="state"/>, built from <see cref="Stored"/> or, for a just-made store, from
    /// <see cref="Seed"/>: then the whole store is written in one transaction, so a kill leaves no half store.
    /// Positions that were normalised again are written back.
    /// </summary>
    public void Start(TenantState state)
    {
        lock (_lock)
        {
            Guard(Files, () =>
            {
                if (Stored is { Normalized: true })
                {
                    return 0;
                }

                using var transaction = _connection.BeginTransaction();
                if (Stored is null)
                {
                    Execute(transaction, "DROP TABLE IF EXISTS positions; DROP TABLE IF EXISTS users; DROP TABLE IF EXISTS seed; DROP TABLE IF EXISTS meta;");
                    Execute(transaction, """
                        CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                        CREATE TABLE users (ord INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, user_principal_name TEXT NOT NULL, display_name TEXT NOT NULL);
                        CREATE TABLE positions (seq INTEGER PRIMARY KEY, user_id TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL);
                        CREATE TABLE seed (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL);
                        """);
                    using (var users = Command("INSERT INTO users(id, user_principal_name, display_name) VALUES ($id, $upn, $name)", "$id", "$upn", "$name"))
                    {
                        users.Transaction = transaction;
                        foreach (var user in state.Users)
                        {
                            Run(users, user.Id, user.UserPrincipalName, user.DisplayName);
                        }
                    }

                    using (var seed = Command("INSERT INTO seed(id, json) VALUES (1, $json)", "$json"))
                    {
                        seed.Transaction = transaction;
                        Run(seed, Encoding.UTF8.GetString(_newSeedJson!));
                    }

                    SetMeta(transaction, "format", Format);
                    SetMeta(transaction, "seed_sha256", Sha256(_newSeedJson!));
                    SetMeta(transaction, "seed_file", Files.JsonPath);
                    SetMeta(transaction, "seeded_utc", DateTime.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                }

                // A new store gets every position; a store of another build gets them back normalised by this one.
                _clear.Transaction = transaction;
                _clear.ExecuteNonQuery();
                InsertAll(transaction, PositionsOf(state));
                SetMeta(transaction, "normalized_by", Normalizer);
                transaction.Commit();
                return 0;
            });
            _current = state;
            if (_newSeedJson is not null)
            {
                // The seed is in the store now; keep no second copy in memory until a reset asks for it.
                _newSeedJson = null;
                _seed = new Lazy<LoadedState>(ReadSeed);
            }
        }
    }

    /// <summary>Queues a change; call it under the lock that ordered the change in memory, then <see cref="WaitWritten"/> outside it.</summary>
    public StoreChange Enqueue(StoreChangeKind kind, TenantState state, string userId, StoredPosition? position)
    {
        // A restore is queued before its state is published: later changes to that state are queued after it and
        // must not be in its rows too.
        var change = new StoreChange(kind, state, userId, position) { Positions = kind == StoreChangeKind.Restore ? PositionsOf(state) : null };
        _queue.Enqueue(change);
        return change;
    }

    /// <exception cref="IOException">An earlier write to the store failed; the store no longer follows memory.</exception>
    public void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Returns once <paramref name="change"/> is committed. Whoever gets the lock commits everything queued so far in
    /// one transaction, so writers that queued behind it usually find their change already written when they wake.
    /// </summary>
    public void WaitWritten(StoreChange change)
    {
        if (change.Written)
        {
            return;
        }

        // Writers that find a commit under way sleep until it ends instead of spinning on the lock (the machine may
        // have two cores shared with the clients), then commit whatever is still queued, their own change among it.
        while (!change.Written)
        {
            var seen = Volatile.Read(ref _commits);
            if (TryCommitFor(change))
            {
                return;
            }

            lock (_commitEnded)
            {
                if (Volatile.Read(ref _commits) == seen && !change.Written)
                {
                    Monitor.Wait(_commitEnded);
                }
            }
        }
    }

    /// <summary>
    /// <see cref="WaitWritten"/> without holding a thread while another writer's commit is under way: a request's
    /// response waits for its changes this way (see <see cref="PendingWrites"/>), so blocked writers do not pile up on
    /// the thread pool.
    /// </summary>
    public async Task WaitWrittenAsync(StoreChange change)
    {
        while (!change.Written)
        {
            Task commitEnd;
            lock (_commitEnded)
            {
                commitEnd = _nextCommitEnd.Task;
            }

            if (TryCommitFor(change))
            {
                return;
            }

            // The lock holder ends with CommitEnded, which completes this task; then the change is written or this
            // writer commits it.
            await commitEnd.ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Commits everything queued, <paramref name="change"/> among it, unless another writer holds the lock (false).
    /// </summary>
    private bool TryCommitFor(StoreChange change)
    {
        if (!Monitor.TryEnter(_lock))
        {
            return false;
        }

        try
        {
            if (!change.Written)
            {
                ThrowIfFailed();
                ObjectDisposedException.ThrowIf(_disposed, this);
                CommitQueued();
            }
        }
        finally
        {
            Monitor.Exit(_lock);
            CommitEnded();
        }

        return true;
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            if (_failure is null && !_queue.IsEmpty)
            {
                try
                {
                    CommitQueued();
                }
                catch (IOException)
                {
                    // Already reported to the writer that waited for it.
                }
            }

            _disposed = true;
            foreach (var command in new[] { _add, _replace, _remove, _clear, _begin, _commit, _rollback })
            {
                command.Dispose();
            }

            // The last connection to close folds the WAL into the database and deletes the -wal file.
            _connection.Dispose();

            if (_current is null && _madeNow)
            {
                // Made by this start, which failed before the store was written: leave nothing behind.
                DeleteStore(Files);
            }
        }

        // Writers still waiting find the store closed.
        CommitEnded();
    }

    private void CommitQueued()
    {
        var batch = new List<StoreChange>();
        while (_queue.TryDequeue(out var queued))
        {
            batch.Add(queued);
        }

        if (batch.Count == 0)
        {
            return;
        }

        var begun = false;
        try
        {
            foreach (var command in new[] { _add, _replace, _remove, _clear })
            {
                command.Transaction = null;
            }

            _begin.ExecuteNonQuery();
            begun = true;
            foreach (var change in batch)
            {
                if (change.Kind == StoreChangeKind.Restore)
                {
                    _clear.ExecuteNonQuery();
                    InsertAll(null, change.Positions!);
                    _current = change.State;
                    continue;
                }

                if (!ReferenceEquals(change.State, _current))
                {
                    // Made to a state that a reset had already replaced: memory dropped it, so does the store.
                    continue;
                }

                var position = change.Position!;
                switch (change.Kind)
                {
                    case StoreChangeKind.Add:
                        Add(change.UserId, position);
                        break;
                    case StoreChangeKind.Replace:
                        Bind(_replace, position.Sequence, Encoding.UTF8.GetString(position.Json));
                        _replace.ExecuteNonQuery();
                        break;
                    case StoreChangeKind.Remove:
                        Bind(_remove, position.Sequence);
                        _remove.ExecuteNonQuery();
                        break;
                }
            }

            _commit.ExecuteNonQuery();
            begun = false;
        }
        catch (Exception error) when (error is SqliteException or IOException or InvalidOperationException)
        {
            if (begun)
            {
                try
                {
                    _rollback.ExecuteNonQuery();
                }
                catch (SqliteException)
                {
                    // SQLite may have rolled back already (a full disk, a damaged file); the store stops either way.
                }
            }

            // Memory already holds these changes and the store does not: stop writing rather than drift further.
            _failure = new IOException($"The sandbox could not write its store '{Files.StorePath}': {error.Message} The change was not kept; restart the sandbox.", error);
            throw _failure;
        }

        foreach (var change in batch)
        {
            change.Written = true;
        }
    }

    private LoadedState ReadSeed()
    {
        byte[] json;
        lock (_lock)
        {
            json = Guard(Files, () => ReadSeedJson(_connection));
        }

        // A writer that found the lock taken by this read waits for the end of a commit; this counts as one.
        CommitEnded();
        return StateFile.Parse(json, $"The seed kept in the store '{Files.StorePath}'");
    }

    private void CommitEnded()
    {
        lock (_commitEnded)
        {
            _commits++;
            Monitor.PulseAll(_commitEnded);
            var ended = _nextCommitEnd;
            _nextCommitEnd = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            ended.TrySetResult();
        }
    }

    private void Add(string userId, StoredPosition position)
    {
        Bind(_add, position.Sequence, userId, position.Id, Encoding.UTF8.GetString(position.Json));
        _add.ExecuteNonQuery();
    }

    private static List<(string UserId, StoredPosition Position)> PositionsOf(TenantState state)
    {
        var positions = new List<(string, StoredPosition)>();
        foreach (var user in state.Users)
        {
            state.PositionsOf(user).Read(items =>
            {
                positions.AddRange(items.Select(item => (user.Id, item)));
                return 0;
            });
        }

        return positions;
    }

    private void InsertAll(SqliteTransaction? transaction, IReadOnlyList<(string UserId, StoredPosition Position)> positions)
    {
        _add.Transaction = transaction;
        foreach (var (userId, position) in positions)
        {
            Add(userId, position);
        }
    }

    private static TenantStore OpenOn(DataFiles files, SqliteConnection connection, bool reseed)
    {
        if (!reseed && IsSeeded(connection))
        {
            CheckFormat(files, connection);
            var meta = ReadMeta(connection);
            if (StateFile.Read(files.JsonPath) is { } current && Sha256(current) != meta.GetValueOrDefault("seed_sha256"))
            {
                throw new InvalidDataException(EditedMessage(files, meta.GetValueOrDefault("seeded_utc")));
            }

            var stored = ReadContent(connection) with { Normalized = meta.GetValueOrDefault("normalized_by") == Normalizer };
            return new TenantStore(files, connection, newSeed: null, newSeedJson: null, stored,
                $"store {files.StorePath} ({stored.Rows.Count} positions; made from the data file {meta.GetValueOrDefault("seeded_utc")})");
        }

        // A new store (or --reseed): seeded from the JSON file, which is made from the demo tenant when missing.
        var json = StateFile.Read(files.JsonPath);
        var origin = "made now from the data file";
        if (json is null)
        {
            json = DemoJson();
            StateFile.WriteAtomically(files.JsonPath, json);
            origin = "made now from the demo tenant, also written to the data file";
        }

        var loaded = StateFile.Parse(json, $"The data file '{files.JsonPath}'");
        return new TenantStore(files, connection, loaded, json, stored: null, $"store {files.StorePath} ({origin})");
    }

    private static SqliteConnection Connect(DataFiles files, SandboxDurability durability)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = files.StorePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,

            // Another process holding the store answers "busy": give up after a second instead of thirty.
            DefaultTimeout = 1,
        }.ToString());
        try
        {
            Guard(files, () =>
            {
                connection.Open();

                // Exclusive locking before WAL: no -shm file, and a second sandbox on the same store is refused. A
                // commit is written to the WAL by the operating system before it returns (so it survives a killed
                // process); "fsync" also waits for the disk at every commit (so it survives a power cut).
                using var pragmas = connection.CreateCommand();
                pragmas.CommandText = $"""
                    PRAGMA locking_mode = EXCLUSIVE;
                    PRAGMA journal_mode = WAL;
                    PRAGMA synchronous = {(durability == SandboxDurability.Fsync ? "FULL" : "OFF")};
                    BEGIN IMMEDIATE;
                    COMMIT;
                    """;
                pragmas.ExecuteNonQuery();
                return 0;
            });
        }
        catch
        {
            connection.Dispose();
            throw;
        }

        return connection;
    }

    // A store that SQLite cannot read, or a database that is not a sandbox store, is removed by --reseed; one that is
    // in use is left alone (Connect says so).
    private static void DeleteIfDamaged(DataFiles files)
    {
        if (!File.Exists(files.StorePath))
        {
            return;
        }

        bool damaged;
        try
        {
            using var connection = Connect(files, SandboxDurability.Os);
            damaged = Guard(files, () => IsSeeded(connection) && (!HasStoreTables(connection) || !QuickCheck(connection)));
        }
        catch (InvalidDataException)
        {
            damaged = true;
        }

        if (damaged)
        {
            DeleteStore(files);
        }
    }

    private static void DeleteStore(DataFiles files)
    {
        foreach (var path in new[] { files.StorePath, files.WalPath, files.ShmPath })
        {
            File.Delete(path);
        }
    }

    private static bool IsSeeded(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0;
    }

    private static void CheckFormat(DataFiles files, SqliteConnection connection)
    {
        if (!HasStoreTables(connection))
        {
            throw new InvalidDataException($"'{files.StorePath}' is an SQLite database but not a sandbox store. Move it away, or start with --reseed to replace it.");
        }

        var format = ReadMeta(connection).GetValueOrDefault("format");
        if (format != Format)
        {
            throw new InvalidDataException($"The store '{files.StorePath}' has format {format ?? "(none)"}; this sandbox reads format {Format}. Start with --reseed to make it again from '{files.JsonPath}'.");
        }

        if (!QuickCheck(connection))
        {
            throw new InvalidDataException(DamagedMessage(files, "SQLite's quick_check found damage"));
        }
    }

    private static bool HasStoreTables(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table'";
        var tables = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        command.CommandText = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('meta', 'users', 'positions', 'seed')";
        return tables == 4 && Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) == 4;
    }

    private static bool QuickCheck(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check(1)";
        return command.ExecuteScalar() as string == "ok";
    }

    private static Dictionary<string, string> ReadMeta(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM meta";
        using var reader = command.ExecuteReader();
        var meta = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            meta[reader.GetString(0)] = reader.GetString(1);
        }

        return meta;
    }

    private static byte[] ReadSeedJson(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM seed WHERE id = 1";
        return command.ExecuteScalar() is string json ? Encoding.UTF8.GetBytes(json) : throw new InvalidDataException("The store has no seed.");
    }

    private static StoredContent ReadContent(SqliteConnection connection)
    {
        var users = new List<TenantUser>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT id, user_principal_name, display_name FROM users ORDER BY ord";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                users.Add(new TenantUser(reader.GetString(0), reader.GetString(1), reader.GetString(2)));
            }
        }

        var rows = new List<StoredRow>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT seq, user_id, json FROM positions ORDER BY seq";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                rows.Add(new StoredRow(reader.GetInt64(0), reader.GetString(1), reader.GetFieldValue<byte[]>(2)));
            }
        }

        return new StoredContent(users, rows, Normalized: false);
    }

    private static void WriteJson(Utf8JsonWriter writer, StoredContent content)
    {
        var byUser = content.Rows.ToLookup(row => row.UserId, StringComparer.Ordinal);
        writer.WriteStartObject();
        writer.WriteNumber("version", 1);
        writer.WriteStartArray("users");
        foreach (var user in content.Users)
        {
            TenantState.WriteUser(writer, user);
        }

        writer.WriteEndArray();
        writer.WriteStartObject("positions");
        foreach (var user in content.Users.Where(user => byUser.Contains(user.Id)))
        {
            writer.WriteStartArray(user.Id);
            foreach (var row in byUser[user.Id])
            {
                writer.WriteRawValue(row.Json, skipInputValidation: true);
            }

            writer.WriteEndArray();
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static byte[] DemoJson()
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = SandboxJson.WriterOptions.Encoder, Indented = true }))
        {
            new TenantState(DemoTenant.Users).WriteTo(writer);
        }

        return stream.ToArray();
    }

    private static string EditedMessage(DataFiles files, string? seededUtc) =>
        $"The data file '{files.JsonPath}' has changed since the sandbox made its store '{files.StorePath}' from it" +
        $"{(seededUtc is null ? string.Empty : $" ({seededUtc})")}, and the store wins over the file, so the edit would be ignored. " +
        "Start with --reseed to load the file again (the store's changes since then are dropped), " +
        "or keep them: save the store as JSON with --export <file> first, or put the data file back as it was.";

    private static string DamagedMessage(DataFiles files, string detail) =>
        $"The store '{files.StorePath}' is damaged ({detail}). Start with --reseed to make it again from '{files.JsonPath}' " +
        $"(its positions are lost), or delete '{files.StorePath}' and '{files.WalPath}'.";

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    // SQLite's errors become the two kinds Program reports as a start-up failure.
    private static T Guard<T>(DataFiles files, Func<T> action)
    {
        try
        {
            return action();
        }
        catch (SqliteException error) when (error.SqliteErrorCode is 5 or 6)
        {
            throw new IOException($"The store '{files.StorePath}' is in use by another sandbox (or another program); stop it, or use another --data file.", error);
        }
        catch (SqliteException error) when (error.SqliteErrorCode is 11 or 26)
        {
            throw new InvalidDataException(DamagedMessage(files, error.Message), error);
        }
        catch (SqliteException error)
        {
            throw new IOException($"The store '{files.StorePath}' could not be used: {error.Message}", error);
        }
    }

    private static void Bind(SqliteCommand command, long sequence, params string[] values)
    {
        command.Parameters[0].Value = sequence;
        for (var index = 0; index < values.Length; index++)
        {
            command.Parameters[index + 1].Value = values[index];
        }
    }

    private static void Run(SqliteCommand command, params string[] values)
    {
        for (var index = 0; index < values.Length; index++)
        {
            command.Parameters[index].Value = values[index];
        }

        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(name, name == "$seq" ? SqliteType.Integer : SqliteType.Text);
        }

        return command;
    }

    private void SetMeta(SqliteTransaction transaction, string key, string value)
    {
        using var meta = Command("INSERT OR REPLACE INTO meta(key, value) VALUES ($key, $value)", "$key", "$value");
        meta.Transaction = transaction;
        Run(meta, key, value);
    }

    private void Execute(SqliteTransaction transaction, string sql)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
