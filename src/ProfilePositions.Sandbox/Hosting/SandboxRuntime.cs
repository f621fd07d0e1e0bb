using ProfilePositions.Sandbox.Admin;
using ProfilePositions.Sandbox.Auth;
using ProfilePositions.Sandbox.Batch;
using ProfilePositions.Sandbox.Faults;
using ProfilePositions.Sandbox.Graph;
using ProfilePositions.Sandbox.Identity;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Hosting;

/// <summary>Composition root: one instance per running sandbox.</summary>
internal sealed class SandboxRuntime : IDisposable
{
    private readonly CancellationTokenSource _shutdown = new();

    private SandboxRuntime(SandboxOptions options, int seed)
    {
        Options = options;
        Seed = seed;
        Durable = options.DataFile is null ? null : TenantStore.Open(DataFiles.For(options.DataFile), options.Durability, options.Reseed);
        try
        {
            Store = new PositionStore(seed, Durable, PositionSchema.Normalize);
        }
        catch
        {
            Durable?.Dispose();
            throw;
        }

        // After the store: a --data that is refused writes no identity files either.
        IdentityStore = new IdentityStore(options.DataFile is null ? null : IdentityStore.PathFor(options.DataFile));
        Tokens = new TokenService(IdentityStore.SigningKey);
        Faults = new FaultEngine(seed, options.LatencyMinMs, options.LatencyMaxMs);
        Throttle = options.ThrottleLimit is { } limit ? new ThrottleModel(limit, options.ThrottleSeconds) : null;
        Journal = new RequestJournal();
        Processor = new GraphProcessor(Store, Tokens, Faults, Throttle, new PositionHandlers(Store, options));
        Batch = new BatchProcessor(Store, Tokens, Faults, Processor, Journal, options);
        var settings = new IdentitySettings(options);
        var pending = new PendingSignIns();
        Identity = new IdentityEndpoints(Store, Tokens, IdentityStore, settings, pending);
        Admin = new AdminEndpoints(seed, Store, Tokens, Faults, Throttle, Journal, new IdentityAdmin(Store, IdentityStore, settings, pending), settings);
    }

    public SandboxOptions Options { get; }

    public int Seed { get; }

    public PositionStore Store { get; }

    /// <summary>The <c>--data</c> store; null in memory.</summary>
    public TenantStore? Durable { get; }

    public TokenService Tokens { get; }

    public FaultEngine Faults { get; }

    /// <summary>The token buckets of <c>--throttle</c>; null when throttling is off.</summary>
    public ThrottleModel? Throttle { get; }

    public RequestJournal Journal { get; }

    public GraphProcessor Processor { get; }

    public BatchProcessor Batch { get; }

    public AdminEndpoints Admin { get; }

    /// <summary>Signing key, TLS certificate, refresh tokens and revocations (persisted next to <c>--data</c>).</summary>
    public IdentityStore IdentityStore { get; }

    public IdentityEndpoints Identity { get; }

    /// <summary>Cancelled when the server stops, so hanging fault responses end.</summary>
    public CancellationToken ShutdownToken => _shutdown.Token;

    public static SandboxRuntime Create(SandboxOptions options)
    {
        if (options.PageSize < 1)
        {
            throw new ArgumentException("PageSize must be at least 1.", nameof(options));
        }

        if (options.LatencyMinMs < 0 || options.LatencyMaxMs < 0)
        {
            throw new ArgumentException("Latency bounds cannot be negative.", nameof(options));
        }

        if (options.ThrottleLimit is < 1 || (options.ThrottleLimit is not null && !(options.ThrottleSeconds > 0)))
        {
            throw new ArgumentException("Throttling needs at least one request per a positive number of seconds.", nameof(options));
        }

        if (options.TokenLifetimeSeconds < 1 || options.RefreshTokenLifetimeSeconds < 1 || options.RefreshTokenGraceSeconds < 0)
        {
            throw new ArgumentException("Token lifetimes must be at least 1 second and the refresh grace period cannot be negative.", nameof(options));
        }

        return new SandboxRuntime(options, options.Seed ?? Random.Shared.Next());
    }

    public void BeginShutdown() => _shutdown.Cancel();

    public void Dispose()
    {
        _shutdown.Dispose();
        Durable?.Dispose();
    }
}
