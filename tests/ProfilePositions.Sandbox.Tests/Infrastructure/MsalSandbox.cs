using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;

namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>An in-process sandbox that also listens on HTTPS (the identity platform needs it: MSAL refuses http authorities).</summary>
public sealed class HttpsSandboxFixture : SandboxFixtureBase
{
    protected override SandboxOptions CreateOptions() => new() { Port = 0, HttpsPort = 0, Seed = 31 };
}

/// <summary>
/// Trusts the sandbox's printed certificate and nothing else: the chain is built with that certificate as the only
/// root (so the host name is still checked), exactly what a client should do for a loopback test authority.
/// </summary>
public static class SandboxTrust
{
    public static X509Certificate2 Load(string pemPath) => X509Certificate2.CreateFromPem(File.ReadAllText(pemPath));

    public static bool Validate(X509Certificate2 trusted, X509Certificate? presented, SslPolicyErrors errors)
    {
        if (presented is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false;
        }

        using var certificate = X509CertificateLoader.LoadCertificate(presented.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(trusted);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(certificate);
    }

    public static SocketsHttpHandler Handler(string pemPath, bool allowRedirect = true)
    {
        var trusted = Load(pemPath);
        return new SocketsHttpHandler
        {
            AllowAutoRedirect = allowRedirect,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => Validate(trusted, certificate, errors),
            },
        };
    }

    public static HttpClient Client(string pemPath, bool allowRedirect = true) =>
        new(Handler(pemPath, allowRedirect)) { Timeout = TimeSpan.FromSeconds(30) };
}

/// <summary>The <see cref="IMsalHttpClientFactory"/> a client gives MSAL so it trusts the sandbox's certificate only.</summary>
public sealed class SandboxMsalHttpFactory(string pemPath) : IMsalHttpClientFactory, IDisposable
{
    private readonly HttpClient client = SandboxTrust.Client(pemPath, allowRedirect: false);

    public HttpClient GetHttpClient() => client;

    public void Dispose() => client.Dispose();
}

/// <summary>
/// Plays the browser of an interactive sign-in: requests the authorize URL MSAL hands it, expects the sandbox's 302
/// and returns the redirect target (with <c>code</c> and <c>state</c>) to MSAL.
/// </summary>
public sealed class LoopbackBrowser(HttpClient noRedirectClient) : ICustomWebUi
{
    public List<Uri> AuthorizeRequests { get; } = [];

    /// <summary>Where the sandbox sent the browser back to (the redirect URI with the code).</summary>
    public List<Uri> Redirects { get; } = [];

    public async Task<Uri> AcquireAuthorizationCodeAsync(Uri authorizationUri, Uri redirectUri, CancellationToken cancellationToken)
    {
        AuthorizeRequests.Add(authorizationUri);
        using var response = await noRedirectClient.GetAsync(authorizationUri, cancellationToken);
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(redirectUri.GetLeftPart(UriPartial.Path), location.ToString(), StringComparison.Ordinal);
        Redirects.Add(location);
        return location;
    }
}

/// <summary>Builds MSAL public clients against the sandbox authority and drives the admin side of a sign-in.</summary>
public static class MsalSandbox
{
    public const string ClientId = "9a6d4c1e-3b2f-4e8a-9c7d-1f0e2d3c4b5a";
    public const string TenantId = "5e1f1a4b-7c4e-4d8a-9a57-2f6d0c3b9e10";
    public static readonly string[] WriteAll = ["https://graph.microsoft.com/User.ReadWrite.All"];

    /// <summary>
    /// The configuration that works: a non-validated AAD-style authority on the sandbox, no instance discovery,
    /// an HTTP client that trusts the sandbox's certificate, and a loopback redirect URI.
    /// </summary>
    public static IPublicClientApplication App(Uri httpsBase, IMsalHttpClientFactory http, string tenant = "organizations", string clientId = ClientId) =>
        PublicClientApplicationBuilder.Create(clientId)
            .WithAuthority(new Uri(httpsBase, tenant + "/").ToString(), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(http)
            .WithRedirectUri("http://localhost")
            .Build();

    /// <summary>Approves the first pending device code once MSAL is polling (at least one poll has been refused).</summary>
    public static async Task ApproveWhenPendingAsync(SandboxClient sandbox, string userCode, string user, string? scopes = null)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var journal = await sandbox.JournalAsync();
            if (journal.Any(entry => entry!["path"]!.GetValue<string>().EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal) && entry["status"]!.GetValue<int>() == 400))
            {
                break;
            }

            await Task.Delay(100);
        }

        var body = new JsonObject { ["userCode"] = userCode, ["user"] = user };
        if (scopes is not null)
        {
            body["scopes"] = scopes;
        }

        var response = await sandbox.PostJsonAsync("_sandbox/identity/approve", null, body.ToJsonString());
        SandboxClient.EnsureSuccess(response, "approve");
    }

    /// <summary>Signs in with the device code flow, approving as <paramref name="user"/> through the admin route.</summary>
    public static async Task<AuthenticationResult> DeviceCodeSignInAsync(IPublicClientApplication app, SandboxClient sandbox, string user, string[] scopes, string? approvedScopes = null)
    {
        Task? approval = null;
        var result = await app.AcquireTokenWithDeviceCode(scopes, code =>
        {
            approval = ApproveWhenPendingAsync(sandbox, code.UserCode, user, approvedScopes);
            return Task.CompletedTask;
        }).ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await approval!;
        return result;
    }

    /// <summary>Signs in through the authorize route (no page: the login hint names the user) with a test browser.</summary>
    public static Task<AuthenticationResult> InteractiveSignInAsync(IPublicClientApplication app, LoopbackBrowser browser, string user, string[] scopes) =>
        app.AcquireTokenInteractive(scopes)
            .WithCustomWebUi(browser)
            .WithLoginHint(user)
            .ExecuteAsync()
            .WaitAsync(TimeSpan.FromSeconds(30));

    /// <summary>A token cache that lives in a byte array, as a persisted cache file would.</summary>
    public sealed class CacheFile
    {
        public byte[]? Bytes { get; set; }

        /// <summary>Writes on every change and reads on every access, like MSAL's file cache helpers.</summary>
        public void Bind(ITokenCache cache, bool write = true)
        {
            cache.SetBeforeAccess(args =>
            {
                if (Bytes is not null)
                {
                    args.TokenCache.DeserializeMsalV3(Bytes);
                }
            });
            if (write)
            {
                cache.SetAfterAccess(args =>
                {
                    if (args.HasStateChanged)
                    {
                        Bytes = args.TokenCache.SerializeMsalV3();
                    }
                });
            }
        }

        /// <summary>The refresh token secrets the cache holds (MSAL's v3 cache JSON).</summary>
        public List<string> RefreshTokens() =>
            Bytes is null
                ? []
                : (JsonNode.Parse(Bytes)!["RefreshToken"] as JsonObject ?? []).Select(item => item.Value!["secret"]!.GetValue<string>()).ToList();
    }

    /// <summary>A form POST to an identity route, read back like any sandbox response.</summary>
    public static async Task<SandboxResponse> PostFormAsync(HttpClient client, Uri uri, params (string Name, string Value)[] form)
    {
        using var content = new FormUrlEncodedContent(form.Select(pair => new KeyValuePair<string, string>(pair.Name, pair.Value)));
        using var response = await client.PostAsync(uri, content);
        return new SandboxResponse(response, await response.Content.ReadAsStringAsync());
    }

    public static async Task SetIdentitySettingsAsync(SandboxClient sandbox, string json)
    {
        var response = await sandbox.PostJsonAsync("_sandbox/identity/settings", null, json);
        SandboxClient.EnsureSuccess(response, "identity settings");
    }

    /// <summary>The journal entries of the identity routes (everything that is not Graph).</summary>
    public static async Task<List<JsonObject>> IdentityRequestsAsync(SandboxClient sandbox) =>
        (await sandbox.JournalAsync())
            .Select(entry => entry!.AsObject())
            .Where(entry => !entry["path"]!.GetValue<string>().StartsWith("/beta", StringComparison.Ordinal))
            .ToList();
}
