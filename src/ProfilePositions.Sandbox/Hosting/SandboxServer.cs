using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ProfilePositions.Sandbox.Hosting;
using ProfilePositions.Sandbox.Identity;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox;

/// <summary>A running sandbox bound to 127.0.0.1; start it in-process for tests or through <c>Program</c>.</summary>
public sealed class SandboxServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly SandboxRuntime _runtime;
    private readonly string? _temporaryFolder;
    private int _stopped;

    private SandboxServer(WebApplication app, SandboxRuntime runtime, Uri baseUri, Uri? httpsBaseUri, X509Certificate2? certificate, string? certificatePath, string? temporaryFolder)
    {
        _app = app;
        _runtime = runtime;
        BaseUri = baseUri;
        HttpsBaseUri = httpsBaseUri;
        Certificate = certificate;
        CertificatePath = certificatePath;
        _temporaryFolder = temporaryFolder;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>; Graph lives under <c>beta/</c>, the admin routes under <c>_sandbox/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary><c>https://127.0.0.1:&lt;port&gt;/</c> when <see cref="SandboxOptions.HttpsPort"/> is set: the same routes, plus the identity platform an MSAL client can use.</summary>
    public Uri? HttpsBaseUri { get; }

    /// <summary>The HTTPS listener's self-signed certificate (with its private key; give clients the public part only).</summary>
    public X509Certificate2? Certificate { get; }

    /// <summary>The PEM file holding the public certificate a client trusts for this sandbox.</summary>
    public string? CertificatePath { get; }

    /// <summary>The identity file (signing key, certificate, refresh tokens) next to the data file; null without <c>--data</c>.</summary>
    public string? IdentityFilePath => _runtime.IdentityStore.FilePath;

    public int Seed => _runtime.Seed;

    /// <summary>Cancelled when <c>POST /_sandbox/shutdown</c> asked the sandbox to stop.</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

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
        if (options.ParentPid is not null)
        {
            // No console lifetime: it would stop the sandbox on the Ctrl+C that the session's terminal sends to its
            // whole process group (Program decides what a signal means).
            builder.Services.AddSingleton<IHostLifetime, SessionLifetime>();
        }

        if (options.Verbose)
        {
            builder.Logging.AddSimpleConsole(console => console.SingleLine = true);
            builder.Logging.SetMinimumLevel(LogLevel.Information);

            // The listening line is printed once by Program; the pipeline writes its own one-line access log.
            builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        X509Certificate2? certificate = null;
        string? certificatePath = null;
        string? temporaryFolder = null;
        if (options.HttpsPort is not null)
        {
            certificate = runtime.IdentityStore.Certificate();
            if (options.DataFile is not null)
            {
                certificatePath = DataFiles.SiblingPath(options.DataFile, ".https.pem");
            }
            else
            {
                temporaryFolder = Path.Combine(Path.GetTempPath(), "profilepositions-sandbox", $"{Environment.ProcessId}-{Guid.NewGuid():N}");
                certificatePath = Path.Combine(temporaryFolder, "https.pem");
            }

            SandboxCertificate.WritePublicPem(certificate, certificatePath);
        }

        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            if (certificate is not null)
            {
                kestrel.Listen(IPAddress.Loopback, options.HttpsPort!.Value, listen => listen.UseHttps(certificate));
            }

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
            DeleteFolder(temporaryFolder);
            throw;
        }

        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()
            .Features.Get<IServerAddressesFeature>()!.Addresses.Select(address => new Uri(address)).ToList();
        var baseUri = new Uri($"http://127.0.0.1:{addresses.First(address => address.Scheme == Uri.UriSchemeHttp).Port}/");
        var httpsBaseUri = certificate is null ? null : new Uri($"https://127.0.0.1:{addresses.First(address => address.Scheme == Uri.UriSchemeHttps).Port}/");
        return new SandboxServer(app, runtime, baseUri, httpsBaseUri, certificate, certificatePath, temporaryFolder);
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
            DeleteFolder(_temporaryFolder);
        }
    }

    // The certificate of a sandbox without --data lives in a folder of its own that goes away with it.
    private static void DeleteFolder(string? folder)
    {
        if (folder is null)
        {
            return;
        }

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
