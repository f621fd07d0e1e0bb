using System.Diagnostics;
using Microsoft.Identity.Client;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>
/// The identity platform of a real sandbox process: the start-up lines, and a persisted MSAL cache that signs in
/// silently after the sandbox restarts with the same <c>--data</c> (the signing key, certificate and refresh tokens
/// persist next to the data file).
/// </summary>
public sealed class IdentityProcessTests : IDisposable
{
    private readonly TemporaryFolder folder = new();

    [Fact]
    public async Task A_restarted_sandbox_accepts_the_tokens_refresh_tokens_and_certificate_it_issued_before()
    {
        var dataFile = folder.File("tenant.json");
        var cache = new MsalSandbox.CacheFile();
        string accessToken;
        string adminToken;
        byte[] certificate;
        using (var sandbox = await SandboxProcess.StartAsync("--port", "0", "--https-port", "0", "--data", dataFile, "--seed", "5"))
        {
            // The certificate line comes before the listening lines, HTTP first (helpers that parse it keep working).
            var lines = sandbox.StartupOutput.ToList();
            var certificateLine = lines.FindIndex(line => line.StartsWith("HTTPS certificate: ", StringComparison.Ordinal));
            var httpLine = lines.FindIndex(line => SandboxProcess.ListeningPattern().IsMatch(line));
            var httpsLine = lines.FindIndex(line => SandboxProcess.HttpsListeningPattern().IsMatch(line));
            Assert.True(certificateLine >= 0 && certificateLine < httpLine && httpLine < httpsLine, string.Join("\n", lines));
            Assert.Equal(folder.File("tenant.https.pem"), sandbox.CertificatePath);
            Assert.StartsWith("-----BEGIN CERTIFICATE-----", await File.ReadAllTextAsync(sandbox.CertificatePath!), StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", await File.ReadAllTextAsync(sandbox.CertificatePath!), StringComparison.Ordinal);
            var identityFile = folder.File("tenant.identity.json");
            Assert.True(File.Exists(identityFile));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(identityFile));
            }

            certificate = SandboxTrust.Load(sandbox.CertificatePath!).RawData;
            using var client = new SandboxClient(sandbox.BaseUri);
            using var http = new SandboxMsalHttpFactory(sandbox.CertificatePath!);
            var app = MsalSandbox.App(sandbox.HttpsBaseUri!, http);
            cache.Bind(app.UserTokenCache);
            accessToken = (await MsalSandbox.DeviceCodeSignInAsync(app, client, SandboxClient.AdeleUpn, MsalSandbox.WriteAll)).AccessToken;
            adminToken = await client.TokenAsync(SandboxClient.MeganUpn, "User.ReadWrite.All");
            sandbox.Kill();
        }

        // Same data file, another port: MSAL keys its cache by the authority's host without the port.
        using (var restarted = await SandboxProcess.StartAsync("--port", "0", "--https-port", "0", "--data", dataFile))
        {
            Assert.Equal(certificate, SandboxTrust.Load(restarted.CertificatePath!).RawData);
            using var client = new SandboxClient(restarted.BaseUri);
            GraphAssert.Status(await client.GetAsync("beta/me/profile/positions", accessToken), 200);
            GraphAssert.Status(await client.GetAsync("beta/users/adele.vance@contoso.com/profile/positions", adminToken), 200);

            using var http = new SandboxMsalHttpFactory(restarted.CertificatePath!);
            var app = MsalSandbox.App(restarted.HttpsBaseUri!, http);
            cache.Bind(app.UserTokenCache);
            var account = (await app.GetAccountsAsync()).Single();
            Assert.Equal(SandboxClient.AdeleUpn, account.Username);
            var silent = await app.AcquireTokenSilent(MsalSandbox.WriteAll, account).WithForceRefresh(true).ExecuteAsync();
            Assert.Equal(TokenSource.IdentityProvider, silent.AuthenticationResultMetadata.TokenSource);
            await client.CreatePositionAsync("me", silent.AccessToken, SandboxClient.PositionBody("After restart"));
            restarted.Kill();
        }
    }

    [Fact]
    public async Task Help_lists_the_options_and_identity_routes_and_exits_zero()
    {
        using var process = Process.Start(SandboxProcess.StartInfo("--help"))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, process.ExitCode);
        var text = await stdout;
        foreach (var expected in new[] { "--https-port", "--token-lifetime", "--refresh-token-lifetime", "--refresh-grace", "/{tenant}/oauth2/v2.0/token", "identity/approve", "HTTPS certificate:" })
        {
            Assert.Contains(expected, text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(text.Split('\n'), line => line.StartsWith("Now listening on:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_data_the_certificate_lives_in_a_temporary_folder_that_goes_with_the_sandbox()
    {
        var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, HttpsPort = 0, Seed = 8 });
        var path = server.CertificatePath!;
        Assert.True(File.Exists(path));
        Assert.Null(server.IdentityFilePath);
        Assert.StartsWith(Path.GetTempPath(), path, StringComparison.Ordinal);
        await server.StopAsync();
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void Parser_reads_the_identity_options()
    {
        var options = SandboxOptionsParser.Parse(["--https-port", "0", "--token-lifetime", "90", "--refresh-token-lifetime=600", "--refresh-grace", "0", "--help"]);
        Assert.Equal(0, options.HttpsPort);
        Assert.Equal(90, options.TokenLifetimeSeconds);
        Assert.Equal(600, options.RefreshTokenLifetimeSeconds);
        Assert.Equal(0, options.RefreshTokenGraceSeconds);
        Assert.True(options.Help);

        var defaults = SandboxOptionsParser.Parse([]);
        Assert.Null(defaults.HttpsPort);
        Assert.Equal(3600, defaults.TokenLifetimeSeconds);
        Assert.Equal(90 * 24 * 3600, defaults.RefreshTokenLifetimeSeconds);
        Assert.Equal(30, defaults.RefreshTokenGraceSeconds);
        Assert.False(defaults.Help);

        foreach (var bad in new[] { new[] { "--https-port", "x" }, ["--token-lifetime", "0"], ["--refresh-grace", "-1"], ["--refresh-token-lifetime"], ["--help=yes"] })
        {
            Assert.ThrowsAny<ArgumentException>(() => SandboxOptionsParser.Parse(bad));
        }
    }

    [Fact]
    public async Task Identity_settings_change_at_run_time_and_a_reset_restores_them()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 9, TokenLifetimeSeconds = 120 });
        using var client = new SandboxClient(server.BaseUri);
        var changed = await client.PostJsonAsync("_sandbox/identity/settings", null, """{"tokenLifetime":5,"refreshGrace":0}""");
        GraphAssert.Status(changed, 200);
        Assert.Equal(5, changed.Object["tokenLifetime"]!.GetValue<int>());
        Assert.Equal(0, changed.Object["refreshGrace"]!.GetValue<int>());
        GraphAssert.ODataError(await client.PostJsonAsync("_sandbox/identity/settings", null, """{"tokenLifetime":"5"}"""), 400, "BadRequest");
        GraphAssert.ODataError(await client.PostJsonAsync("_sandbox/identity/settings", null, """{"lifetime":5}"""), 400, "BadRequest");
        GraphAssert.ODataError(await client.SendAsync(HttpMethod.Delete, "_sandbox/identity/settings"), 405, "Request_BadRequest");

        await client.ResetAsync();
        var restored = (await client.GetAsync("_sandbox/identity/settings")).Object;
        Assert.Equal(120, restored["tokenLifetime"]!.GetValue<int>());
        Assert.Equal(30, restored["refreshGrace"]!.GetValue<int>());
        Assert.Equal(900, restored["deviceCodeLifetime"]!.GetValue<int>());
    }

    public void Dispose() => folder.Dispose();
}
