using Azure.Identity;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Tests;

public sealed class AccessTokenTests
{
    [Fact]
    public void ADelegatedTokenIsDecodedWithoutValidation()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        var token = TestTokens.Make(new { upn = "adele@contoso.com", tid = "tenant-1", scp = "User.Read User.ReadWrite", azp = "app-1", exp = expires.ToUnixTimeSeconds() });

        var info = AccessTokenInfo.Decode(token);

        Assert.Equal("adele@contoso.com", info.Account);
        Assert.Equal("tenant-1", info.TenantId);
        Assert.Equal("app-1", info.ClientId);
        Assert.Equal(new[] { "User.Read", "User.ReadWrite" }, info.Scopes);
        Assert.Equal(expires.ToUnixTimeSeconds(), info.ExpiresOn!.Value.ToUnixTimeSeconds());
        Assert.False(info.IsAppOnly);
    }

    [Fact]
    public void TheAccountFallsBackToPreferredUsernameThenUniqueName()
    {
        Assert.Equal("p@contoso.com", AccessTokenInfo.Decode(TestTokens.Make(new { preferred_username = "p@contoso.com", unique_name = "u@contoso.com", scp = "User.Read" })).Account);
        Assert.Equal("u@contoso.com", AccessTokenInfo.Decode(TestTokens.Make(new { unique_name = "u@contoso.com", scp = "User.Read" })).Account);
    }

    [Fact]
    public void AnAppOnlyTokenIsRecognised()
    {
        var info = AccessTokenInfo.Decode(TestTokens.Make(new { roles = new[] { "User.ReadWrite.All" }, tid = "t" }));

        Assert.True(info.IsAppOnly);
        Assert.Equal(new[] { "User.ReadWrite.All" }, info.Roles);
    }

    [Theory]
    [InlineData("not-a-token")]
    [InlineData("a.b")]
    [InlineData("a.!!!.c")]
    [InlineData("")]
    [InlineData("eyJhbGciOiJub25lIn0.WzFd.c2ln")]
    public void TextThatIsNotAJwtIsRefusedClearly(string token)
    {
        var error = Assert.Throws<ConnectionException>(() => AccessTokenInfo.Decode(token));

        Assert.Equal("InvalidAccessToken", error.ErrorId);
        Assert.Contains("JWT", error.Message);
        if (token.Length > 3)
        {
            Assert.DoesNotContain(token, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void APastedBearerPrefixAndWhitespaceAreIgnored()
    {
        var token = TestTokens.Delegated();

        Assert.Equal("adele@contoso.com", AccessTokenInfo.Decode("  Bearer " + token + "\n").Account);
        Assert.Throws<ConnectionException>(() => AccessTokenInfo.Decode(token.Insert(10, "\r\n")));
    }
}

public sealed class EnvironmentTests
{
    [Theory]
    [InlineData("Global", "https://graph.microsoft.com/", "https://login.microsoftonline.com/")]
    [InlineData("usgov", "https://graph.microsoft.us/", "https://login.microsoftonline.us/")]
    [InlineData("USGovDoD", "https://dod-graph.microsoft.us/", "https://login.microsoftonline.us/")]
    [InlineData("China", "https://microsoftgraph.chinacloudapi.cn/", "https://login.chinacloudapi.cn/")]
    [InlineData(null, "https://graph.microsoft.com/", "https://login.microsoftonline.com/")]
    public void NamedCloudsMapToTheirGraphAndSignInHosts(string? name, string graph, string authority)
    {
        var environment = CloudEnvironment.Resolve(new ConnectRequest { Environment = name! });

        Assert.Equal(graph, environment.GraphEndpoint.AbsoluteUri);
        Assert.Equal(authority, environment.AuthorityHost.AbsoluteUri);
    }

    [Fact]
    public void AnUnknownEnvironmentIsRefusedListingTheKnownOnes()
    {
        var error = Assert.Throws<ConnectionException>(() => CloudEnvironment.Resolve(new ConnectRequest { Environment = "Germany" }));

        Assert.Equal("UnknownEnvironment", error.ErrorId);
        Assert.Contains("USGovDoD", error.Message);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [InlineData("http://localhost:5000/beta/", "http://localhost:5000/")]
    [InlineData("http://[::1]:8080/v1.0", "http://[::1]:8080/")]
    [InlineData("https://graph.contoso-cloud.example/prefix", "https://graph.contoso-cloud.example/prefix/")]
    public void ACustomEndpointIsTheRootTheEngineAddsBetaTo(string given, string root)
    {
        var environment = CloudEnvironment.Resolve(new ConnectRequest { GraphEndpoint = new Uri(given), AuthorityHost = new Uri("https://login.contoso-cloud.example") });

        Assert.Equal("Custom", environment.Name);
        Assert.Equal(root, environment.GraphEndpoint.AbsoluteUri);
        Assert.Equal("https://login.contoso-cloud.example/", environment.AuthorityHost.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://graph.contoso.com")]
    [InlineData("http://10.0.0.5:5000")]
    [InlineData("http://127.0.0.1.evil.example")]
    public void PlainHttpToARemoteHostIsRefused(string endpoint)
    {
        var error = Assert.Throws<ConnectionException>(() => CloudEnvironment.Resolve(new ConnectRequest { GraphEndpoint = new Uri(endpoint) }));

        Assert.Equal("InsecureEndpoint", error.ErrorId);
        Assert.Contains("never sent unencrypted", error.Message);
    }

    [Fact]
    public void APlainHttpAuthorityHostIsRefusedToo()
    {
        Assert.Throws<ConnectionException>(() => CloudEnvironment.Resolve(new ConnectRequest { AuthorityHost = new Uri("http://login.contoso.com") }));
    }

    [Fact]
    public void ScopesAreSplitTrimmedAndDeduplicated()
    {
        Assert.Equal(new[] { "User.Read", "User.ReadWrite.All" }, SignInOptions.NormaliseScopes(new[] { " User.Read, user.read ", "User.ReadWrite.All" }));
        Assert.Equal(new[] { "User.ReadWrite" }, SignInOptions.NormaliseScopes(Array.Empty<string>()));
        Assert.Equal(new[] { "User.ReadWrite" }, SignInOptions.NormaliseScopes(null));
    }

    [Fact]
    public void NationalCloudsGetScopesOnTheirOwnGraphHost()
    {
        var options = SignInOptions.From(new ConnectRequest { Environment = "USGov", Scopes = new[] { "User.ReadWrite.All,offline_access", "https://graph.microsoft.us/.default" } });

        Assert.Equal(new[] { "https://graph.microsoft.us/User.ReadWrite.All", "offline_access", "https://graph.microsoft.us/.default" }, options.RequestScopes);
        Assert.Equal(new[] { "User.ReadWrite.All", "offline_access", "https://graph.microsoft.us/.default" }, options.Scopes);
    }

    [Fact]
    public void SignInOptionsDefaultToTheGraphPowerShellClientAndProcessScope()
    {
        var options = SignInOptions.From(new ConnectRequest());

        Assert.Equal("14d82eec-204b-4c2f-b7e8-296a70dab67e", options.ClientId);
        Assert.Equal("common", options.TenantId);
        Assert.False(options.PersistCache);
        Assert.Equal(new[] { "User.ReadWrite" }, options.RequestScopes);

        var browser = options.BrowserOptions(null, options.PersistCache);
        Assert.Equal(new Uri("https://login.microsoftonline.com"), browser.AuthorityHost);
        Assert.Null(browser.TokenCachePersistenceOptions);
        Assert.True(browser.DisableAutomaticAuthentication);
    }

    [Fact]
    public void CurrentUserScopePersistsTheCacheUnderTheModulesName()
    {
        var options = SignInOptions.From(new ConnectRequest { ContextScope = "currentuser", TenantId = "contoso.onmicrosoft.com", ClientId = " my-app ", Environment = "China" });

        Assert.True(options.PersistCache);
        Assert.Equal("my-app", options.ClientId);
        var browser = options.BrowserOptions(null, true);
        Assert.Equal("profilepositions.msal.cache", browser.TokenCachePersistenceOptions!.Name);
        Assert.False(browser.TokenCachePersistenceOptions.UnsafeAllowUnencryptedStorage);
        Assert.Equal("contoso.onmicrosoft.com", browser.TenantId);
        Assert.Equal(new Uri("https://login.chinacloudapi.cn"), browser.AuthorityHost);
        Assert.False(options.AllowUnencryptedCache);
    }

    [Fact]
    public void OnlyTheOptInAllowsAnUnencryptedCacheFile()
    {
        var options = SignInOptions.From(new ConnectRequest { ContextScope = "CurrentUser", AllowUnencryptedTokenCache = true, UseDeviceCode = true });

        Assert.True(options.AllowUnencryptedCache);
        Assert.True(options.DeviceCodeOptions(null, true, null, unencrypted: true).TokenCachePersistenceOptions!.UnsafeAllowUnencryptedStorage);
        Assert.True(options.BrowserOptions(null, true, unencrypted: true).TokenCachePersistenceOptions!.UnsafeAllowUnencryptedStorage);
        // The encrypted store is always tried first: the opt-in is a fallback, not a choice of storage.
        Assert.False(options.DeviceCodeOptions(null, true, null).TokenCachePersistenceOptions!.UnsafeAllowUnencryptedStorage);
    }

    [Fact]
    public async Task CurrentUserWithAnAccessTokenIsRefusedBeforeTheTokenIsRead()
    {
        var failure = await Assert.ThrowsAsync<ConnectionException>(() =>
            ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = "not even a token", ContextScope = "CurrentUser" }, CancellationToken.None));

        Assert.Equal("ContextScopeWithAccessToken", failure.ErrorId);
        Assert.Contains("-ContextScope Process", failure.Message, StringComparison.Ordinal);
        Assert.Contains("-UseDeviceCode", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheDeviceCodePromptGoesToTheCallersCallback()
    {
        var prompts = new List<string>();
        var options = SignInOptions.From(new ConnectRequest { UseDeviceCode = true, Environment = "USGovDoD" });

        var deviceCode = options.DeviceCodeOptions(null, false, prompts.Add);
        var info = IdentityModelFactory.DeviceCodeInfo("user-code", "device-code", new Uri("https://microsoft.com/devicelogin"), DateTimeOffset.UtcNow.AddMinutes(15),
            "To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABC123.", "client", new[] { "User.ReadWrite" });
        await deviceCode.DeviceCodeCallback(info, CancellationToken.None);

        Assert.Equal(new[] { "To sign in, use a web browser to open https://microsoft.com/devicelogin and enter the code ABC123." }, prompts);
        Assert.Equal(new Uri("https://login.microsoftonline.us"), deviceCode.AuthorityHost);
        Assert.True(options.UseDeviceCode);
    }

    [Fact]
    public void AnUnknownContextScopeIsRefused()
    {
        Assert.Throws<ConnectionException>(() => SignInOptions.From(new ConnectRequest { ContextScope = "Machine" }));
    }

    [Fact]
    public void TheSignInTimeoutIsTwoMinutesForTheBrowserFiveForADeviceCodeOrAsGiven()
    {
        Assert.Equal(TimeSpan.FromSeconds(120), SignInOptions.From(new ConnectRequest()).SignInTimeout);
        Assert.Equal(TimeSpan.FromSeconds(300), SignInOptions.From(new ConnectRequest { UseDeviceCode = true }).SignInTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), SignInOptions.From(new ConnectRequest { UseDeviceCode = true, SignInTimeout = TimeSpan.FromSeconds(7) }).SignInTimeout);
    }

    [Fact]
    public void ALoopbackAuthorityHasNoInstanceDiscoveryAndTheOptedInTrust()
    {
        using var pem = LoopbackTrustTests.TemporaryPem(LoopbackTrustTests.SelfSigned("127.0.0.1"));
        var options = SignInOptions.From(new ConnectRequest { UseDeviceCode = true, AuthorityHost = new Uri("https://127.0.0.1:5001"), GraphEndpoint = new Uri("https://127.0.0.1:5001"), TrustedLoopbackCertificate = pem.Path });

        Assert.True(options.IsLoopbackAuthority);
        Assert.NotNull(options.AuthorityTrust);
        var deviceCode = options.DeviceCodeOptions(null, false, null);
        Assert.True(deviceCode.DisableInstanceDiscovery);
        Assert.NotNull(deviceCode.Transport);
        Assert.True(options.BrowserOptions(null, false).DisableInstanceDiscovery);
    }

    [Fact]
    public void TheTrustVariableChangesNothingForMicrosoftsClouds()
    {
        using var pem = LoopbackTrustTests.TemporaryPem(LoopbackTrustTests.SelfSigned("127.0.0.1"));
        foreach (var request in new[]
        {
            new ConnectRequest { UseDeviceCode = true, TrustedLoopbackCertificate = pem.Path },
            new ConnectRequest { Environment = "USGov", TrustedLoopbackCertificate = pem.Path },
            new ConnectRequest { AuthorityHost = new Uri("https://login.microsoftonline.us"), GraphEndpoint = new Uri("https://127.0.0.1:5001"), TrustedLoopbackCertificate = pem.Path },
        })
        {
            var options = SignInOptions.From(request);
            Assert.Null(options.AuthorityTrust);
            Assert.False(options.IsLoopbackAuthority);
            var deviceCode = options.DeviceCodeOptions(null, false, null);
            Assert.False(deviceCode.DisableInstanceDiscovery);
            Assert.False(options.BrowserOptions(null, false).DisableInstanceDiscovery);
        }
    }

    [Fact]
    public void APlainHttpAuthorityIsRefusedWithAReasonEvenOnLoopback()
    {
        var refused = Assert.Throws<ConnectionException>(() => SignInOptions.From(new ConnectRequest { UseDeviceCode = true, AuthorityHost = new Uri("http://127.0.0.1:5000") }));

        Assert.Equal("InsecureAuthority", refused.ErrorId);
        Assert.Contains("--https-port", refused.Message, StringComparison.Ordinal);
    }
}

public sealed class LoopbackTrustTests
{
    [Fact]
    public void OnlyTheNamedCertificateFromALoopbackHostIsAcceptedDespiteAnUntrustedChain()
    {
        using var sandbox = SelfSigned("127.0.0.1");
        using var other = SelfSigned("127.0.0.1");
        using var pem = TemporaryPem(sandbox);
        var trust = LoopbackCertificateTrust.From(pem.Path)!;
        var untrusted = System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors;

        Assert.True(trust.Accepts(new Uri("https://127.0.0.1:5001/common/oauth2/v2.0/token"), sandbox, untrusted));
        Assert.True(trust.Accepts(new Uri("https://localhost:5001/"), sandbox, untrusted));
        Assert.True(trust.Accepts(new Uri("https://[::1]:5001/"), sandbox, untrusted));
        Assert.False(trust.Accepts(new Uri("https://127.0.0.1:5001/"), other, untrusted));
        Assert.False(trust.Accepts(new Uri("https://login.microsoftonline.com/"), sandbox, untrusted));
        Assert.False(trust.Accepts(new Uri("https://127.0.0.1:5001/"), sandbox, untrusted | System.Net.Security.SslPolicyErrors.RemoteCertificateNameMismatch));
        Assert.False(trust.Accepts(new Uri("https://127.0.0.1:5001/"), null, System.Net.Security.SslPolicyErrors.RemoteCertificateNotAvailable));
        // A certificate the machine trusts anyway is accepted as usual, wherever it comes from.
        Assert.True(trust.Accepts(new Uri("https://graph.microsoft.com/"), other, System.Net.Security.SslPolicyErrors.None));
    }

    [Fact]
    public void NoPathMeansNoTrustAndAnUnreadableOneIsAClearError()
    {
        Assert.Null(LoopbackCertificateTrust.From(null));
        Assert.Null(LoopbackCertificateTrust.From("  "));
        var missing = Assert.Throws<ConnectionException>(() => LoopbackCertificateTrust.From(Path.Combine(Path.GetTempPath(), "pp-no-such-" + Guid.NewGuid().ToString("N") + ".pem")));
        Assert.Equal("LoopbackCertificateUnreadable", missing.ErrorId);
        Assert.Contains(ConnectRequest.TrustLoopbackCertificateVariable, missing.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => LoopbackCertificateTrust.ReadPem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----"));
    }

    [Fact]
    public void TheTrustAppliesToHttpsOnLoopbackOnly()
    {
        Assert.True(LoopbackCertificateTrust.AppliesTo(new Uri("https://127.0.0.1:5001")));
        Assert.False(LoopbackCertificateTrust.AppliesTo(new Uri("http://127.0.0.1:5000")));
        Assert.False(LoopbackCertificateTrust.AppliesTo(new Uri("https://login.microsoftonline.com")));
        Assert.False(LoopbackCertificateTrust.AppliesTo(new Uri("https://127.0.0.1.example.com")));
    }

    internal static System.Security.Cryptography.X509Certificates.X509Certificate2 SelfSigned(string name)
    {
        using var key = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=" + name, key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    internal static TemporaryFile TemporaryPem(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var file = new TemporaryFile();
        File.WriteAllText(file.Path, certificate.ExportCertificatePem());
        return file;
    }

    internal sealed class TemporaryFile : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pp-trust-" + Guid.NewGuid().ToString("N") + ".pem");

        public void Dispose() => File.Delete(Path);
    }
}

[Collection("Session")]
public sealed class ProfileStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pp-store-" + Guid.NewGuid().ToString("N"));

    public ProfileStoreTests()
    {
        ProfileStore.DirectoryOverride = _folder;
    }

    public void Dispose()
    {
        ProfileStore.DirectoryOverride = null;
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, true);
        }
    }

    private static AuthenticationRecord Record() =>
        IdentityModelFactory.AuthenticationRecord("adele@contoso.com", "login.microsoftonline.com", "uid.utid", "tenant-1", SignInOptions.DefaultClientId);

    [Fact]
    public async Task TheAccountRecordIsSavedReadAndForgotten()
    {
        await ProfileStore.SaveRecordAsync(Record(), CancellationToken.None);

        Assert.True(File.Exists(Path.Combine(_folder, "ProfilePositions", "authrecord.json")));
        Assert.DoesNotContain("token", File.ReadAllText(ProfileStore.RecordPath), StringComparison.OrdinalIgnoreCase);
        var read = await ProfileStore.LoadRecordAsync(CancellationToken.None);
        Assert.Equal("adele@contoso.com", read!.Username);
        Assert.True(SignInOptions.From(new ConnectRequest()).Matches(read));
        Assert.False(SignInOptions.From(new ConnectRequest { ClientId = "other-app" }).Matches(read));

        ProfileGraphConnector.ForgetPersistedSignIn();

        Assert.False(File.Exists(ProfileStore.RecordPath));
        Assert.Null(await ProfileStore.LoadRecordAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TheRecordAndItsFolderAreOwnerOnlyAndForgetSaysWhatWent()
    {
        await ProfileStore.SaveRecordAsync(Record(), CancellationToken.None);
        var cache = Path.Combine(_folder, ".IdentityService", "profilepositions.msal.cache.cae");
        Directory.CreateDirectory(Path.GetDirectoryName(cache)!);
        await File.WriteAllTextAsync(cache, "{}");

        Assert.Equal(Path.Combine(_folder, "ProfilePositions", "authrecord.json"), ProfileStore.RecordPath);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(ProfileStore.RecordPath));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(ProfileStore.Directory));
            Assert.Equal(0x180, OwnerOnly.ModeOf(ProfileStore.RecordPath));
        }

        var forgotten = ProfileGraphConnector.ForgetPersistedSignIn();

        Assert.Equal(new[] { ProfileStore.RecordPath, cache }, forgotten.Removed);
        Assert.Empty(forgotten.Problems);
        Assert.Empty(ProfileGraphConnector.ForgetPersistedSignIn().Removed);
    }

    [Fact]
    public async Task ACorruptRecordIsIgnored()
    {
        Directory.CreateDirectory(ProfileStore.Directory);
        await File.WriteAllTextAsync(ProfileStore.RecordPath, "{ this is not a record");

        Assert.Null(await ProfileStore.LoadRecordAsync(CancellationToken.None));
    }
}

public sealed class BrowserAvailabilityTests
{
    private static readonly System.Runtime.InteropServices.OSPlatform Linux = System.Runtime.InteropServices.OSPlatform.Linux;

    private static string? WhyNot(Dictionary<string, string> variables, string? host = null) =>
        BrowserAvailability.WhyNot(host, name => variables.TryGetValue(name, out var value) ? value : null, Linux);

    [Fact]
    public void LinuxNeedsADisplayAndAnOpenerOnPath()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllText(Path.Combine(folder.Path, "xdg-open"), "#!/bin/sh");

        Assert.Null(WhyNot(new() { ["DISPLAY"] = ":0", ["PATH"] = "/nowhere:" + folder.Path }));
        Assert.Null(WhyNot(new() { ["WAYLAND_DISPLAY"] = "wayland-0", ["PATH"] = folder.Path }));
        // WSL opens the Windows browser through wslview without a Linux display.
        Assert.Null(WhyNot(new() { ["WSL_DISTRO_NAME"] = "Ubuntu", ["PATH"] = folder.Path }));
        Assert.Contains("no graphical display", WhyNot(new() { ["PATH"] = folder.Path }), StringComparison.Ordinal);
        Assert.Contains("xdg-open, gnome-open, kfmclient, microsoft-edge, wslview", WhyNot(new() { ["DISPLAY"] = ":0", ["PATH"] = "/nowhere" }), StringComparison.Ordinal);
        Assert.Contains("sudo", WhyNot(new() { ["DISPLAY"] = ":0", ["PATH"] = folder.Path, ["SUDO_USER"] = "adele" }), StringComparison.Ordinal);
    }

    [Fact]
    public void TheHostAndCiComeFirst()
    {
        var fine = new Dictionary<string, string> { ["DISPLAY"] = ":0", ["PATH"] = "/usr/bin" };

        Assert.Equal("PowerShell was started with -NonInteractive", WhyNot(fine, "PowerShell was started with -NonInteractive"));
        Assert.Contains("CI is set", WhyNot(new(fine) { ["CI"] = "true" }), StringComparison.Ordinal);
        Assert.DoesNotContain("CI is set", WhyNot(new(fine) { ["CI"] = "false", ["PATH"] = "/nowhere" }), StringComparison.Ordinal);
        Assert.Null(BrowserAvailability.WhyNot(null, name => name == "CI" ? "0" : null, System.Runtime.InteropServices.OSPlatform.OSX));
    }

    private sealed class TemporaryFolder : IDisposable
    {
        public TemporaryFolder() => Directory.CreateDirectory(Path);

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pp-opener-" + Guid.NewGuid().ToString("N"));

        public void Dispose() => Directory.Delete(Path, true);
    }
}
