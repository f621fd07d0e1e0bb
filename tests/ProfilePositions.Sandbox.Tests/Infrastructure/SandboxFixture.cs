using ProfilePositions.Sandbox;

namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>
/// Starts one in-process sandbox on an OS-chosen loopback port and shares it between the tests of a class.
/// Test classes reset its state before every test (see <see cref="SandboxTestBase{TFixture}"/>).
/// </summary>
public abstract class SandboxFixtureBase : IAsyncLifetime
{
    private SandboxServer? server;
    private SandboxClient? client;

    public SandboxServer Server => server ?? throw new InvalidOperationException("The sandbox is not started.");

    public SandboxClient Client => client ?? throw new InvalidOperationException("The sandbox is not started.");

    protected abstract SandboxOptions CreateOptions();

    public async Task InitializeAsync()
    {
        server = await SandboxServer.StartAsync(CreateOptions());
        client = new SandboxClient(server.BaseUri);
    }

    public async Task DisposeAsync()
    {
        client?.Dispose();
        if (server is not null)
        {
            await server.StopAsync();
            await server.DisposeAsync();
        }
    }
}

/// <summary>Default options with a fixed seed so failures replay.</summary>
public sealed class SandboxFixture : SandboxFixtureBase
{
    public const int FixedSeed = 20240601;

    protected override SandboxOptions CreateOptions() => new() { Port = 0, Seed = FixedSeed };
}

/// <summary>A page size of three so paging is exercised with a handful of positions.</summary>
public sealed class SmallPageSandboxFixture : SandboxFixtureBase
{
    public const int PageSize = 3;

    protected override SandboxOptions CreateOptions() => new() { Port = 0, Seed = 7, PageSize = PageSize };
}

/// <summary>Accepts and keeps unknown JSON members.</summary>
public sealed class LooseSandboxFixture : SandboxFixtureBase
{
    protected override SandboxOptions CreateOptions() => new() { Port = 0, Seed = 11, Loose = true };
}

/// <summary>Shuffles the order of $batch responses with the seeded PRNG.</summary>
public sealed class ShuffleBatchSandboxFixture : SandboxFixtureBase
{
    protected override SandboxOptions CreateOptions() => new() { Port = 0, Seed = 99, ShuffleBatch = true };
}

/// <summary>A token bucket of five requests a minute per caller, so a test empties it long before it refills.</summary>
public sealed class ThrottledSandboxFixture : SandboxFixtureBase
{
    public const int Limit = 5;

    public const int Seconds = 60;

    protected override SandboxOptions CreateOptions() => new() { Port = 0, Seed = 5, ThrottleLimit = Limit, ThrottleSeconds = Seconds };
}

/// <summary>Resets the shared sandbox before each test so tests in a class never see each other's data.</summary>
public abstract class SandboxTestBase<TFixture> : IAsyncLifetime
    where TFixture : SandboxFixtureBase
{
    protected SandboxTestBase(TFixture fixture)
    {
        Fixture = fixture;
    }

    protected TFixture Fixture { get; }

    protected SandboxClient Sandbox => Fixture.Client;

    public virtual Task InitializeAsync() => Sandbox.ResetAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;
}
