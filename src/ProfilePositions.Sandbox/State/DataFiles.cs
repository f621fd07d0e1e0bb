namespace ProfilePositions.Sandbox.State;

/// <summary>
/// What <c>--data &lt;file&gt;</c> names: the JSON file (the seed users read and edit, and the export form) and,
/// beside it under the same name without the extension, the store that holds the live state
/// (<c>tenant.json</c> → <c>tenant.db</c>, with SQLite's <c>tenant.db-wal</c> while it is open or after a kill).
/// Other parts of the sandbox keep their own files beside it the same way (<c>tenant.&lt;what&gt;.&lt;ext&gt;</c>).
/// </summary>
internal sealed class DataFiles
{
    private DataFiles(string jsonPath)
    {
        JsonPath = jsonPath;
        StorePath = SiblingPath(jsonPath, ".db");
    }

    /// <summary>The JSON file, full path.</summary>
    public string JsonPath { get; }

    /// <summary>The SQLite store, full path.</summary>
    public string StorePath { get; }

    /// <summary>SQLite's write-ahead log: part of the store, folded into it when the sandbox stops.</summary>
    public string WalPath => StorePath + "-wal";

    /// <summary>SQLite's shared-memory index: never made by the sandbox (it opens the store exclusively), but by other SQLite programs.</summary>
    public string ShmPath => StorePath + "-shm";

    /// <exception cref="ArgumentException">The name is the store's own name, so file and store would be one.</exception>
    public static DataFiles For(string dataFile)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataFile);
        var full = Path.GetFullPath(dataFile);
        if (string.Equals(Path.GetExtension(full), ".db", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException(
                $"--data names the JSON file, and its store is kept beside it as <name>.db; '{full}' is such a store. " +
                $"Pass the JSON file instead (for example --data {Path.ChangeExtension(full, ".json")}).");
        }

        return new DataFiles(full);
    }

    /// <summary>A file beside <paramref name="dataFile"/> that shares its name without the extension: <c>tenant.json</c> + <c>.db</c> → <c>tenant.db</c>.</summary>
    public static string SiblingPath(string dataFile, string suffix)
    {
        var full = Path.GetFullPath(dataFile);
        return Path.Combine(Path.GetDirectoryName(full)!, Path.GetFileNameWithoutExtension(full) + suffix);
    }
}
