using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;
using Microsoft.Identity.Client;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>MSAL.NET's device code flow against the sandbox's identity platform, approved or denied through the admin routes.</summary>
public sealed class IdentityDeviceCodeTests(HttpsSandboxFixture fixture) : SandboxTestBase<HttpsSandboxFixture>(fixture), IClassFixture<HttpsSandboxFixture>, IDisposable
{
    private readonly SandboxMsalHttpFactory http = new(fixture.Server.CertificatePath!);
    private readonly HttpClient https = SandboxTrust.Client(fixture.Server.CertificatePath!);

    private Uri Https => Fixture.Server.HttpsBaseUri!;

    [Fact]
    public async Task Device_code_sign_in_gives_an_account_a_token_graph_accepts_and_a_silent_cache_hit()
    {
        var app = MsalSandbox.App(Https, http);
        var result = await MsalSandbox.DeviceCodeSignInAsync(app, Sandbox, SandboxClient.MeganUpn, MsalSandbox.WriteAll);

        var megan = await Sandbox.UserAsync(SandboxClient.MeganUpn);
        Assert.Equal(SandboxClient.MeganUpn, result.Account.Username);
        Assert.Equal($"{megan.Id}.{MsalSandbox.TenantId}", result.Account.HomeAccountId.Identifier);
        Assert.Equal(MsalSandbox.TenantId, result.TenantId);
        Assert.Equal(megan.Id, result.UniqueId);
        Assert.Equal(megan.DisplayName, result.ClaimsPrincipal.FindFirst("name")?.Value);
        Assert.Contains("https://graph.microsoft.com/User.ReadWrite.All", result.Scopes);

        // MSAL asked for a device code, polled (refused while pending) and redeemed it; nothing else, no discovery.
        var identity = await MsalSandbox.IdentityRequestsAsync(Sandbox);
        Assert.Equal("/organizations/oauth2/v2.0/devicecode", identity[0]["path"]!.GetValue<string>());
        Assert.All(identity.Skip(1), entry => Assert.Equal("/organizations/oauth2/v2.0/token", entry["path"]!.GetValue<string>()));
        Assert.Contains(identity, entry => entry["status"]!.GetValue<int>() == 400);
        Assert.Equal(200, identity[^1]["status"]!.GetValue<int>());
        Assert.Equal(SandboxClient.MeganUpn, identity[^1]["user"]!.GetValue<string>());
        Assert.Contains("grant_type=device_code", identity[^1]["body"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("device_code=REDACTED", identity[^1]["body"]!.GetValue<string>(), StringComparison.Ordinal);

        // The token works on the Graph routes of the same sandbox, over HTTP and over HTTPS.
        var created = await Sandbox.CreatePositionAsync("users/adele.vance@contoso.com", result.AccessToken, SandboxClient.PositionBody("Signed in"));
        Assert.Equal(megan.Id, created["createdBy"]!["user"]!["id"]!.GetValue<string>());
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Https, "beta/me/profile/positions"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", result.AccessToken);
        using var response = await https.SendAsync(request);
        Assert.Equal(200, (int)response.StatusCode);

        // Silent sign-in finds the account and the token in MSAL's cache without asking the sandbox.
        await Sandbox.ClearJournalAsync();
        var silent = await app.AcquireTokenSilent(MsalSandbox.WriteAll, (await app.GetAccountsAsync()).Single()).ExecuteAsync();
        Assert.Equal(result.AccessToken, silent.AccessToken);
        Assert.Empty(await MsalSandbox.IdentityRequestsAsync(Sandbox));
    }

    [Fact]
    public async Task Azure_Identity_device_code_credential_signs_in_with_the_sandbox_as_authority_host()
    {
        // The module's client stack: Azure.Identity over MSAL, pointed at the sandbox, trusting its certificate only.
        Task? approval = null;
        var credential = new DeviceCodeCredential(new DeviceCodeCredentialOptions
        {
            AuthorityHost = Https,
            TenantId = "organizations",
            ClientId = MsalSandbox.ClientId,
            DisableInstanceDiscovery = true,
            Transport = new HttpClientTransport(SandboxTrust.Handler(Fixture.Server.CertificatePath!, allowRedirect: false)),
            DeviceCodeCallback = (code, _) =>
            {
                approval = MsalSandbox.ApproveWhenPendingAsync(Sandbox, code.UserCode, SandboxClient.AdeleUpn);
                return Task.CompletedTask;
            },
        });

        var context = new TokenRequestContext(MsalSandbox.WriteAll);
        var record = await credential.AuthenticateAsync(context).WaitAsync(TimeSpan.FromSeconds(30));
        await approval!;
        Assert.Equal(SandboxClient.AdeleUpn, record.Username);
        Assert.Equal(MsalSandbox.TenantId, record.TenantId);
        Assert.Equal("127.0.0.1", record.Authority);
        var token = await credential.GetTokenAsync(context);
        GraphAssert.Status(await Sandbox.PostJsonAsync("beta/me/profile/positions", token.Token, SandboxClient.PositionBody("Azure.Identity")), 201);

        // One device code, polls until approved, one token; GetTokenAsync was answered from MSAL's cache.
        var identity = await MsalSandbox.IdentityRequestsAsync(Sandbox);
        Assert.Equal("/organizations/oauth2/v2.0/devicecode", identity[0]["path"]!.GetValue<string>());
        Assert.Single(identity, entry => entry["path"]!.GetValue<string>().EndsWith("/token", StringComparison.Ordinal) && entry["status"]!.GetValue<int>() == 200);
    }

    [Fact]
    public async Task The_approval_decides_the_scopes_and_a_narrower_grant_cannot_write()
    {
        var app = MsalSandbox.App(Https, http);
        var result = await MsalSandbox.DeviceCodeSignInAsync(app, Sandbox, SandboxClient.AdeleUpn, MsalSandbox.WriteAll, approvedScopes: "User.Read");

        Assert.DoesNotContain(result.Scopes, scope => scope.EndsWith("User.ReadWrite.All", StringComparison.Ordinal));
        Assert.Equal("User.Read openid profile", Jwt.Claims(result.AccessToken)["scp"]!.GetValue<string>());
        GraphAssert.Status(await Sandbox.GetAsync("beta/me/profile/positions", result.AccessToken), 200);
        GraphAssert.ODataError(await Sandbox.PostJsonAsync("beta/me/profile/positions", result.AccessToken, SandboxClient.PositionBody("No")), 403, "Authorization_RequestDenied");
    }

    [Fact]
    public async Task A_denied_device_code_ends_the_poll_with_authorization_declined()
    {
        var app = MsalSandbox.App(Https, http);
        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenWithDeviceCode(MsalSandbox.WriteAll, async code =>
        {
            var pending = (await Sandbox.GetAsync("_sandbox/identity/pending")).Json!.AsArray();
            var listed = pending.Single()!;
            Assert.Equal(code.UserCode, listed["userCode"]!.GetValue<string>());
            Assert.Equal(MsalSandbox.ClientId, listed["clientId"]!.GetValue<string>());
            Assert.Contains("https://graph.microsoft.com/User.ReadWrite.All", listed["scopes"]!.AsArray().Select(scope => scope!.GetValue<string>()));
            Assert.Contains("To sign in, use a web browser to open the page", code.Message, StringComparison.Ordinal);
            Assert.Contains(code.UserCode, code.Message, StringComparison.Ordinal);
            var denied = await Sandbox.PostJsonAsync("_sandbox/identity/deny", null, new JsonObject { ["userCode"] = code.UserCode }.ToJsonString());
            SandboxClient.EnsureSuccess(denied, "deny");
        }).ExecuteAsync().WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal("authorization_declined", error.ErrorCode);
        Assert.Empty((await Sandbox.GetAsync("_sandbox/identity/pending")).Json!.AsArray());
    }

    [Fact]
    public async Task Device_code_polls_get_the_identity_platform_error_shapes()
    {
        var token = new Uri(Https, "organizations/oauth2/v2.0/token");
        var started = await MsalSandbox.PostFormAsync(https, new Uri(Https, "organizations/oauth2/v2.0/devicecode"), ("client_id", MsalSandbox.ClientId), ("scope", "User.ReadWrite offline_access openid"));
        Assert.Equal(200, started.StatusCode);
        Assert.Equal(900, started.Object["expires_in"]!.GetValue<int>());
        Assert.Equal(1, started.Object["interval"]!.GetValue<int>());
        Assert.Equal(new Uri(Https, "devicelogin").ToString(), started.Object["verification_uri"]!.GetValue<string>());
        var deviceCode = started.Object["device_code"]!.GetValue<string>();
        var userCode = started.Object["user_code"]!.GetValue<string>();
        (string, string)[] Poll(string code, string client = MsalSandbox.ClientId) =>
            [("grant_type", "urn:ietf:params:oauth:grant-type:device_code"), ("client_id", client), ("device_code", code)];

        var pending = await MsalSandbox.PostFormAsync(https, token, Poll(deviceCode));
        AssertAadError(pending, "authorization_pending", 70016);
        Assert.Equal("no-store, no-cache", pending.Headers.CacheControl?.ToString());
        AssertAadError(await MsalSandbox.PostFormAsync(https, token, Poll("not-a-device-code")), "bad_verification_code", 70018);
        AssertAadError(await MsalSandbox.PostFormAsync(https, token, Poll(deviceCode, "another-client")), "bad_verification_code", 70018);

        // The admin routes refuse what they cannot do, then approve once.
        GraphAssert.ODataError(await Sandbox.PostJsonAsync("_sandbox/identity/approve", null, """{"userCode":"NOSUCHCODE","user":"adele.vance@contoso.com"}"""), 404, "itemNotFound");
        GraphAssert.ODataError(await Sandbox.PostJsonAsync("_sandbox/identity/approve", null, $$"""{"userCode":"{{userCode}}","user":"nobody@contoso.com"}"""), 404, "Request_ResourceNotFound");
        GraphAssert.ODataError(await Sandbox.PostJsonAsync("_sandbox/identity/approve", null, $$"""{"userCode":"{{userCode}}"}"""), 400, "BadRequest");
        var approved = await Sandbox.PostJsonAsync("_sandbox/identity/approve", null, $$"""{"userCode":"{{userCode.ToLowerInvariant()}}","user":"3f0b4a5e-8d2c-4b71-9e6a-1c2d3e4f5a61","scopes":["User.ReadWrite","User.Read.All"]}""");
        GraphAssert.Status(approved, 200);
        Assert.Equal(SandboxClient.AdeleUpn, approved.Object["user"]!.GetValue<string>());
        GraphAssert.ODataError(await Sandbox.PostJsonAsync("_sandbox/identity/deny", null, $$"""{"userCode":"{{userCode}}"}"""), 409, "Conflict");

        var issued = await MsalSandbox.PostFormAsync(https, token, Poll(deviceCode));
        Assert.Equal(200, issued.StatusCode);
        Assert.Equal("Bearer", issued.Object["token_type"]!.GetValue<string>());
        Assert.Equal("User.ReadWrite offline_access openid User.Read.All", issued.Object["scope"]!.GetValue<string>());
        Assert.Null(issued.Object["client_info"]);
        Assert.NotNull(issued.Object["refresh_token"]);
        Assert.NotNull(issued.Object["id_token"]);
        AssertAadError(await MsalSandbox.PostFormAsync(https, token, Poll(deviceCode)), "invalid_grant", 54005);

        // A code nobody approves in time expires.
        await MsalSandbox.SetIdentitySettingsAsync(Sandbox, """{"deviceCodeLifetime":1}""");
        var shortLived = await MsalSandbox.PostFormAsync(https, new Uri(Https, "common/oauth2/v2.0/devicecode"), ("client_id", MsalSandbox.ClientId), ("scope", "User.Read"));
        Assert.Equal(1, shortLived.Object["expires_in"]!.GetValue<int>());
        await Task.Delay(1100);
        AssertAadError(await MsalSandbox.PostFormAsync(https, new Uri(Https, "common/oauth2/v2.0/token"), Poll(shortLived.Object["device_code"]!.GetValue<string>())), "expired_token", 70020);
        GraphAssert.ODataError(await Sandbox.PostJsonAsync("_sandbox/identity/approve", null, $$"""{"userCode":"{{shortLived.Object["user_code"]}}","user":"adele.vance@contoso.com"}"""), 400, "BadRequest");

        // The verification page never blocks: it explains how a test approves.
        using var page = await https.GetAsync(new Uri(Https, "devicelogin"));
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/_sandbox/identity/approve", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>The shape Entra ID gives every token endpoint error.</summary>
    public static JsonObject AssertAadError(SandboxResponse response, string error, int code)
    {
        Assert.True(response.StatusCode == 400, response.ToString());
        var body = response.Object;
        Assert.Equal(error, body["error"]!.GetValue<string>());
        Assert.Equal([code], body["error_codes"]!.AsArray().Select(item => item!.GetValue<int>()));
        var description = body["error_description"]!.GetValue<string>();
        Assert.StartsWith($"AADSTS{code}: ", description, StringComparison.Ordinal);
        Assert.Contains("\r\nTrace ID: " + body["trace_id"]!.GetValue<string>(), description, StringComparison.Ordinal);
        Assert.Contains("\r\nCorrelation ID: " + body["correlation_id"]!.GetValue<string>(), description, StringComparison.Ordinal);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$", body["timestamp"]!.GetValue<string>());
        Assert.Equal($"https://login.microsoftonline.com/error?code={code}", body["error_uri"]!.GetValue<string>());
        return body;
    }

    public void Dispose()
    {
        http.Dispose();
        https.Dispose();
    }
}
