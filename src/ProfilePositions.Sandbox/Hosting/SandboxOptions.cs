namespace ProfilePositions.Sandbox;

/// <summary>Start-up options of the sandbox; the command line maps onto these one to one.</summary>
public sealed class SandboxOptions
{
    /// <summary>TCP port on 127.0.0.1; 0 lets the operating system pick one.</summary>
    public int Port { get; set; }

    /// <summary>Seed of every pseudo-random decision (faults, latency, ids, batch shuffling); random when null.</summary>
    public int? Seed { get; set; }

    /// <summary>
    /// The JSON file of users and positions. The first start makes a store beside it (<c>tenant.json</c> →
    /// <c>tenant.db</c>) that keeps every change; later starts load the store, which wins over the file.
    /// </summary>
    public string? DataFile { get; set; }

    /// <summary>With <see cref="DataFile"/>: how far a write has gone before its response is sent.</summary>
    public SandboxDurability Durability { get; set; }

    /// <summary>With <see cref="DataFile"/>: make the store again from the JSON file, dropping what it held.</summary>
    public bool Reseed { get; set; }

    /// <summary>With <see cref="DataFile"/>: write the store's content as JSON to this file (<c>-</c>: standard output) and exit.</summary>
    public string? ExportFile { get; set; }

    public int LatencyMinMs { get; set; }

    public int LatencyMaxMs { get; set; }

    /// <summary>Largest number of positions in one list page before <c>@odata.nextLink</c> is used.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Keep unknown members in request bodies instead of rejecting them.</summary>
    public bool Loose { get; set; }

    /// <summary>Return <c>$batch</c> responses in a seeded random order, as Graph is allowed to.</summary>
    public bool ShuffleBatch { get; set; }

    /// <summary>
    /// Token-bucket throttling per caller: at most this many requests (and batch items) per
    /// <see cref="ThrottleSeconds"/>; null turns throttling off.
    /// </summary>
    public int? ThrottleLimit { get; set; }

    /// <summary>The window of <see cref="ThrottleLimit"/>, in seconds.</summary>
    public double ThrottleSeconds { get; set; } = 1;

    /// <summary>Write an access log line per request to the console.</summary>
    public bool Verbose { get; set; }

    /// <summary>TCP port on 127.0.0.1 for HTTPS (self-signed certificate); 0 lets the operating system pick one; null means no HTTPS.</summary>
    public int? HttpsPort { get; set; }

    /// <summary>Lifetime in seconds of the access tokens the sign-in flows issue (not those of <c>/_sandbox/token</c>).</summary>
    public int TokenLifetimeSeconds { get; set; } = 3600;

    /// <summary>Lifetime in seconds of a refresh token; each use issues a new one with a fresh lifetime.</summary>
    public int RefreshTokenLifetimeSeconds { get; set; } = 90 * 24 * 3600;

    /// <summary>How long in seconds a refresh token that has been used (rotated out) is still accepted.</summary>
    public int RefreshTokenGraceSeconds { get; set; } = 30;

    /// <summary>Stop when the process with this id exits (the test run that started the sandbox); null: run until stopped.</summary>
    public int? ParentPid { get; set; }

    /// <summary>Print the usage text and exit.</summary>
    public bool Help { get; set; }
}

/// <summary>How far an acknowledged write has gone with <c>--data</c>.</summary>
public enum SandboxDurability
{
    /// <summary>Handed to the operating system before the response: survives a killed sandbox, not a power cut.</summary>
    Os,

    /// <summary>On disk before the response (an fsync per commit, shared by concurrent writers): survives a power cut.</summary>
    Fsync,
}
