using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ProfilePositions.Sandbox.Hosting;

namespace ProfilePositions.Sandbox;

/// <summary>A running sandbox bound to 127.0.0.1; start it in-process for tests or through <c>Program</c>.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxRuntime _runtime;
    private int _stopped;

    private SandboxServer(WebApplication app, SandboxRuntime runtime, Uri baseUri)
    {
        _app = app;
        _runtime = runtime;
        BaseUri = baseUri;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>; Graph lives under <c>beta/</c>, the admin routes under <c>_sandbox/</c>.</summary>
    public Uri BaseUri { get; }

    public int Seed => _runtime.Seed;

    /// <summary>With <c>--data</c>: the store and where its content came from, for the start-up line; otherwise null.</summary>
    public string? StoreDescription => _runtime.Durable?.Description;

    public static async Task<SandboxServer> StartAsync(SandboxOptions options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var runtime = SandboxRuntime.Create(options);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = "Production",
        });
        builder.Logging.ClearProviders();
        if (options.Verbose)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.SetMinimumLevel(LogLevel.Information);

            // The listening line is printed once by Program; the pipeline writes its own one-line access log.
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = 16 * 1024 * 1024;
        });
        builder.Services.AddSingleton(runtime);

        var app = builder.Build();
        var pipeline = new HttpPipeline(runtime, options.Verbose ? app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Sandbox") : null);
        app.Run(pipeline.InvokeAsync);

        try
        {
            await app.StartAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            runtime.Dispose();
            throw;
        }

        var address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var baseUri = new Uri($"http://127.0.0.1:{port}/");
        return new SandboxServer(app, runtime, baseUri);
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        // Releases hanging fault responses so Kestrel can drain quickly.
        _runtime.BeginShutdown();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _runtime.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
