using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.Extensibility;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>
/// The authorize route (authorization code + PKCE) driven by MSAL's interactive sign-in with a test browser, the
/// OpenID discovery document, and the errors of the code grant.
/// </summary>
public sealed class IdentityAuthorizationCodeTests(HttpsSandboxFixture fixture) : SandboxTestBase<HttpsSandboxFixture>(fixture), IClassFixture<HttpsSandboxFixture>, IDisposable
{
    private const string Redirect = "http://localhost:8400/";
    private const string LeeUpn = "lee.gu@contoso.com";
    private readonly SandboxMsalHttpFactory http = new(fixture.Server.CertificatePath!);
    private readonly HttpClient noRedirect = SandboxTrust.Client(fixture.Server.CertificatePath!, allowRedirect: false);

    private Uri Https => Fixture.Server.HttpsBaseUri!;

    [Fact]
    public async Task Interactive_sign_in_redirects_with_a_code_that_MSAL_redeems_with_PKCE()
    {
        var app = MsalSandbox.App(Https, http);
        var browser = new LoopbackBrowser(noRedirect);
        var result = await MsalSandbox.InteractiveSignInAsync(app, browser, SandboxClient.AdeleUpn, MsalSandbox.WriteAll);

        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        Assert.Equal(SandboxClient.AdeleUpn, result.Account.Username);
        Assert.Equal($"{adele.Id}.{MsalSandbox.TenantId}", result.Account.HomeAccountId.Identifier);
        var authorize = QueryHelpers.ParseQuery(browser.AuthorizeRequests.Single().Query);
        Assert.Equal("S256", authorize["code_challenge_method"].ToString());
        Assert.Equal("code", authorize["response_type"].ToString());
        Assert.Equal(SandboxClient.AdeleUpn, authorize["login_hint"].ToString());

        var claims = Jwt.Claims(result.AccessToken);
        Assert.Equal(MsalSandbox.ClientId, claims["appid"]!.GetValue<string>());
        Assert.Equal(adele.Id, claims["oid"]!.GetValue<string>());
        Assert.Equal(SandboxClient.AdeleUpn, claims["upn"]!.GetValue<string>());
        Assert.Equal("https://graph.microsoft.com", claims["aud"]!.GetValue<string>());
        Assert.Contains("User.ReadWrite.All", claims["scp"]!.GetValue<string>().Split(' '));
        await Sandbox.CreatePositionAsync("users/megan.bowen@contoso.com", result.AccessToken, SandboxClient.PositionBody("Written for Megan"));

        var idToken = Jwt.Claims(result.IdToken);
        Assert.Equal(MsalSandbox.ClientId, idToken["aud"]!.GetValue<string>());
        Assert.Equal($"{Https}{MsalSandbox.TenantId}/v2.0", idToken["iss"]!.GetValue<string>());
        Assert.Equal("2.0", idToken["ver"]!.GetValue<string>());
        Assert.Equal(SandboxClient.AdeleUpn, idToken["preferred_username"]!.GetValue<string>());
        Assert.Equal(adele.Id, idToken["oid"]!.GetValue<string>());
        Assert.Equal(MsalSandbox.TenantId, idToken["tid"]!.GetValue<string>());
        Assert.NotEqual(adele.Id, idToken["sub"]!.GetValue<string>());
        Assert.True(idToken["exp"]!.GetValue<long>() > idToken["iat"]!.GetValue<long>());
        GraphAssert.ODataError(await Sandbox.GetAsync("beta/me/profile/positions", result.IdToken), 401, "InvalidAuthenticationToken");

        var journal = await MsalSandbox.IdentityRequestsAsync(Sandbox);
        Assert.Equal(["/organizations/oauth2/v2.0/authorize", "/organizations/oauth2/v2.0/token"], journal.Select(entry => entry["path"]!.GetValue<string>()));
        Assert.Equal(302, journal[0]["status"]!.GetValue<int>());
        Assert.Contains("code_verifier=REDACTED", journal[1]["body"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("&code=REDACTED", journal[1]["body"]!.GetValue<string>(), StringComparison.Ordinal);

        // Silent sign-in for the account that came back, then another user through sandbox_user.
        var silent = await app.AcquireTokenSilent(MsalSandbox.WriteAll, result.Account).ExecuteAsync();
        Assert.Equal(result.AccessToken, silent.AccessToken);
        var megan = await app.AcquireTokenInteractive(["User.Read"]).WithCustomWebUi(browser)
            .WithExtraQueryParameters(new Dictionary<string, (string, bool)> { ["sandbox_user"] = (SandboxClient.MeganUpn, false) })
            .ExecuteAsync();
        Assert.Equal(SandboxClient.MeganUpn, megan.Account.Username);
        Assert.Equal(2, (await app.GetAccountsAsync()).Count());
    }

    [Fact]
    public async Task The_journal_never_holds_a_code_or_a_token()
    {
        var cache = new MsalSandbox.CacheFile();
        var app = MsalSandbox.App(Https, http);
        cache.Bind(app.UserTokenCache);
        var browser = new LoopbackBrowser(noRedirect);
        var signedIn = await MsalSandbox.InteractiveSignInAsync(app, browser, SandboxClient.AdeleUpn, MsalSandbox.WriteAll);
        var secrets = new List<string> { signedIn.AccessToken, signedIn.IdToken, QueryHelpers.ParseQuery(browser.Redirects.Single().Query)["code"].ToString() };
        secrets.AddRange(cache.RefreshTokens());
        var refreshed = await app.AcquireTokenSilent(MsalSandbox.WriteAll, signedIn.Account).WithForceRefresh(true).ExecuteAsync();
        secrets.Add(refreshed.AccessToken);
        secrets.AddRange(cache.RefreshTokens());
        var started = await MsalSandbox.PostFormAsync(noRedirect, new Uri(Https, "organizations/oauth2/v2.0/devicecode"), ("client_id", MsalSandbox.ClientId), ("scope", "User.Read"));
        var deviceCode = started.Object["device_code"]!.GetValue<string>();
        secrets.Add(deviceCode);
        await MsalSandbox.PostFormAsync(noRedirect, new Uri(Https, "organizations/oauth2/v2.0/token"),
            ("grant_type", "device_code"), ("client_id", MsalSandbox.ClientId), ("device_code", deviceCode), ("client_secret", "s3cret"), ("client_assertion", "a.b.c"));
        secrets.AddRange(["s3cret", "a.b.c"]);

        var journal = (await Sandbox.GetAsync("_sandbox/requests")).Text;
        Assert.Equal(5, (await MsalSandbox.IdentityRequestsAsync(Sandbox)).Count);
        foreach (var secret in secrets)
        {
            Assert.DoesNotContain(Uri.EscapeDataString(secret), journal, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, journal, StringComparison.Ordinal);
        }

        Assert.Contains("client_secret=REDACTED", journal, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_code_grant_checks_the_PKCE_verifier_the_redirect_uri_and_single_use()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var code = await AuthorizeAsync($"client_id={MsalSandbox.ClientId}&response_type=code&redirect_uri={Uri.EscapeDataString(Redirect)}&scope=User.ReadWrite%20openid&state=s1&login_hint=lee.gu@contoso.com&code_challenge={challenge}&code_challenge_method=S256");
        var token = new Uri(Https, "contoso.onmicrosoft.com/oauth2/v2.0/token");
        (string, string)[] Redeem(string withVerifier, string redirect = Redirect) =>
            [("grant_type", "authorization_code"), ("client_id", MsalSandbox.ClientId), ("code", code), ("redirect_uri", redirect), ("code_verifier", withVerifier), ("scope", "User.ReadWrite openid")];

        IdentityDeviceCodeTests.AssertAadError(await MsalSandbox.PostFormAsync(noRedirect, token, Redeem(verifier + "x")), "invalid_grant", 501481);
        IdentityDeviceCodeTests.AssertAadError(await MsalSandbox.PostFormAsync(noRedirect, token, Redeem(verifier, "http://localhost:9999/")), "invalid_grant", 50011);
        IdentityDeviceCodeTests.AssertAadError(await MsalSandbox.PostFormAsync(noRedirect, token, ("grant_type", "authorization_code"), ("client_id", MsalSandbox.ClientId), ("code", code), ("redirect_uri", Redirect)), "invalid_grant", 501481);
        var issued = await MsalSandbox.PostFormAsync(noRedirect, token, Redeem(verifier));
        Assert.Equal(200, issued.StatusCode);
        Assert.Equal("User.ReadWrite openid", issued.Object["scope"]!.GetValue<string>());
        Assert.Null(issued.Object["refresh_token"]);
        Assert.Equal("lee.gu@contoso.com", Jwt.Claims(issued.Object["access_token"]!.GetValue<string>())["upn"]!.GetValue<string>());
        IdentityDeviceCodeTests.AssertAadError(await MsalSandbox.PostFormAsync(noRedirect, token, Redeem(verifier)), "invalid_grant", 54005);
        IdentityDeviceCodeTests.AssertAadError(await MsalSandbox.PostFormAsync(noRedirect, token, ("grant_type", "authorization_code"), ("client_id", MsalSandbox.ClientId), ("code", "garbage"), ("redirect_uri", Redirect)), "invalid_grant", 9002313);
        IdentityDeviceCodeTests.AssertAadError(await MsalSandbox.PostFormAsync(noRedirect, token, ("grant_type", "password"), ("client_id", MsalSandbox.ClientId)), "unsupported_grant_type", 70003);
        IdentityDeviceCodeTests.AssertAadError(await MsalSandbox.PostFormAsync(noRedirect, token, ("grant_type", "refresh_token")), "invalid_request", 900144);
        IdentityDeviceCodeTests.AssertAadError(await MsalSandbox.PostFormAsync(noRedirect, token, ("grant_type", "refresh_token"), ("client_id", "c"), ("refresh_token", "r"), ("scope", "https://management.azure.com/.default")), "invalid_scope", 70011);
    }

    [Fact]
    public async Task The_authorize_route_never_blocks_and_redirects_errors_to_the_client()
    {
        var query = $"client_id={MsalSandbox.ClientId}&response_type=code&redirect_uri={Uri.EscapeDataString(Redirect)}&scope=User.Read&state=xyz";

        // No user named: a small page that says how, with one link per user; never a form that waits.
        using var page = await noRedirect.GetAsync(new Uri(Https, $"common/oauth2/v2.0/authorize?{query}"));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("login_hint", html, StringComparison.Ordinal);
        Assert.Contains("sandbox_user=adele.vance%40contoso.com", html, StringComparison.Ordinal);

        // Errors the client can act on come back on its redirect URI, with its state.
        var unknown = await RedirectAsync($"{query}&login_hint=nobody@contoso.com");
        Assert.Equal("invalid_request", unknown["error"]);
        Assert.StartsWith("AADSTS50034: ", unknown["error_description"], StringComparison.Ordinal);
        Assert.Equal("xyz", unknown["state"]);
        Assert.Equal("login_required", (await RedirectAsync($"{query}&prompt=none"))["error"]);
        Assert.Equal("invalid_request", (await RedirectAsync($"{query}&login_hint=lee.gu@contoso.com&code_challenge=abc&code_challenge_method=plain"))["error"]);
        Assert.Equal("unsupported_response_type", (await RedirectAsync(query.Replace("response_type=code", "response_type=token", StringComparison.Ordinal) + "&login_hint=lee.gu@contoso.com"))["error"]);

        // A redirect URI that is not loopback is never followed.
        using var foreign = await noRedirect.GetAsync(new Uri(Https, $"common/oauth2/v2.0/authorize?{query.Replace(Uri.EscapeDataString(Redirect), Uri.EscapeDataString("https://evil.example/cb"), StringComparison.Ordinal)}&login_hint=lee.gu@contoso.com"));
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains("AADSTS50011", await foreign.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Form_post_answers_with_a_page_that_posts_the_code_or_the_error_to_the_redirect_uri()
    {
        // What MSAL asks for with the system browser: response_mode=form_post, so the code never sits in a URL.
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        var challenge = Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        var query = $"client_id={MsalSandbox.ClientId}&response_type=code&response_mode=form_post&redirect_uri={Uri.EscapeDataString(Redirect)}&scope=User.Read&state=xyz";

        var signedIn = await FormPostAsync($"{query}&code_challenge={challenge}&code_challenge_method=S256&sandbox_user={LeeUpn}");
        Assert.Equal("xyz", signedIn["state"]);
        Assert.False(signedIn.ContainsKey("error"));
        var token = await MsalSandbox.PostFormAsync(noRedirect, new Uri(Https, "organizations/oauth2/v2.0/token"),
            ("grant_type", "authorization_code"), ("client_id", MsalSandbox.ClientId), ("code", signedIn["code"]), ("redirect_uri", Redirect), ("code_verifier", verifier), ("scope", "User.Read"));
        Assert.Equal(HttpStatusCode.OK, token.Status);

        var refused = await FormPostAsync($"{query}&login_hint=nobody@contoso.com");
        Assert.Equal("invalid_request", refused["error"]);
        Assert.StartsWith("AADSTS50034: ", refused["error_description"], StringComparison.Ordinal);
        Assert.Equal("xyz", refused["state"]);
        Assert.False(refused.ContainsKey("code"));

        var journal = await MsalSandbox.IdentityRequestsAsync(Sandbox);
        Assert.Equal(200, journal[0]["status"]!.GetValue<int>());
        Assert.Equal(LeeUpn, journal[0]["user"]!.GetValue<string>());
        using var discovery = await noRedirect.GetAsync(new Uri(Https, "common/v2.0/.well-known/openid-configuration"));
        Assert.Contains("\"form_post\"", await discovery.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discovery_describes_the_endpoints_under_any_tenant_segment()
    {
        foreach (var tenant in new[] { "organizations", "common", MsalSandbox.TenantId, "contoso.onmicrosoft.com" })
        {
            using var response = await noRedirect.GetAsync(new Uri(Https, $"{tenant}/v2.0/.well-known/openid-configuration"));
            var document = System.Text.Json.Nodes.JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
            Assert.Equal($"{Https}{tenant}/oauth2/v2.0/token", document["token_endpoint"]!.GetValue<string>());
            Assert.Equal($"{Https}{tenant}/oauth2/v2.0/authorize", document["authorization_endpoint"]!.GetValue<string>());
            Assert.Equal($"{Https}{tenant}/oauth2/v2.0/devicecode", document["device_authorization_endpoint"]!.GetValue<string>());
            Assert.Equal($"{Https}{MsalSandbox.TenantId}/v2.0", document["issuer"]!.GetValue<string>());
            using var keys = await noRedirect.GetAsync(document["jwks_uri"]!.GetValue<string>());
            Assert.Equal(HttpStatusCode.OK, keys.StatusCode);
        }

        // MSAL's generic OIDC authority reads the discovery document first, then uses its endpoints.
        var oidc = PublicClientApplicationBuilder.Create(MsalSandbox.ClientId)
            .WithExperimentalFeatures()
            .WithOidcAuthority(new Uri(Https, "organizations/v2.0").ToString())
            .WithHttpClientFactory(http)
            .WithRedirectUri("http://localhost")
            .Build();
        await Sandbox.ClearJournalAsync();
        var signedIn = await MsalSandbox.InteractiveSignInAsync(oidc, new LoopbackBrowser(noRedirect), LeeUpn, ["User.Read"]);
        Assert.Equal(LeeUpn, signedIn.Account.Username);
        Assert.Equal(
            ["/organizations/v2.0/.well-known/openid-configuration", "/organizations/oauth2/v2.0/authorize", "/organizations/oauth2/v2.0/token"],
            (await MsalSandbox.IdentityRequestsAsync(Sandbox)).Select(entry => entry["path"]!.GetValue<string>()));

        // The certificate is not trusted by default: a client must opt in to the printed file.
        using var untrusting = new HttpClient();
        await Assert.ThrowsAsync<HttpRequestException>(() => untrusting.GetAsync(new Uri(Https, "organizations/v2.0/.well-known/openid-configuration")));
        using var byName = await noRedirect.GetAsync(new Uri($"https://localhost:{Https.Port}/organizations/v2.0/.well-known/openid-configuration"));
        Assert.Equal(HttpStatusCode.OK, byName.StatusCode);
    }

    private async Task<string> AuthorizeAsync(string query) =>
        (await RedirectAsync(query))["code"] ?? throw new InvalidOperationException("No code in the redirect.");

    private async Task<Dictionary<string, string>> RedirectAsync(string query)
    {
        using var response = await noRedirect.GetAsync(new Uri(Https, $"organizations/oauth2/v2.0/authorize?{query}"));
        Assert.Equal(HttpStatusCode.Found, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(Redirect, location.ToString(), StringComparison.Ordinal);
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(pair => pair.Key, pair => pair.Value.ToString());
    }

    /// <summary>The hidden inputs of a form_post page, after checking that it posts to the redirect URI.</summary>
    private async Task<Dictionary<string, string>> FormPostAsync(string query)
    {
        using var response = await noRedirect.GetAsync(new Uri(Https, $"organizations/oauth2/v2.0/authorize?{query}"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains($"<form method=\"POST\" name=\"hiddenform\" action=\"{Redirect}\">", html, StringComparison.Ordinal);
        Assert.Contains("document.forms[0].submit()", html, StringComparison.Ordinal);
        return System.Text.RegularExpressions.Regex.Matches(html, "<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\" />")
            .ToDictionary(match => match.Groups[1].Value, match => WebUtility.HtmlDecode(match.Groups[2].Value));
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public void Dispose()
    {
        http.Dispose();
        noRedirect.Dispose();
    }
}
