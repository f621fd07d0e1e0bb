using Microsoft.Identity.Client;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>
/// Silent sign-in through MSAL: refresh tokens rotate on every use, a rotated-out one stays good for the grace period
/// (concurrent refreshes with it succeed), and expired or revoked ones give Entra ID's errors, which MSAL turns into
/// <see cref="MsalUiRequiredException"/>.
/// </summary>
public sealed class IdentityRefreshTests(HttpsSandboxFixture fixture) : SandboxTestBase<HttpsSandboxFixture>(fixture), IClassFixture<HttpsSandboxFixture>, IDisposable
{
    private readonly SandboxMsalHttpFactory http = new(fixture.Server.CertificatePath!);
    private readonly HttpClient noRedirect = SandboxTrust.Client(fixture.Server.CertificatePath!, allowRedirect: false);

    private Uri Https => Fixture.Server.HttpsBaseUri!;

    [Fact]
    public async Task Refresh_rotates_the_refresh_token_and_the_old_one_serves_concurrent_refreshes_until_the_grace_ends()
    {
        var cache = new MsalSandbox.CacheFile();
        var app = MsalSandbox.App(Https, http);
        cache.Bind(app.UserTokenCache);
        var signedIn = await MsalSandbox.InteractiveSignInAsync(app, new LoopbackBrowser(noRedirect), SandboxClient.MeganUpn, MsalSandbox.WriteAll);
        var beforeRefresh = cache.Bytes!;
        var firstRefreshToken = cache.RefreshTokens().Single();

        var refreshed = await app.AcquireTokenSilent(MsalSandbox.WriteAll, signedIn.Account).WithForceRefresh(true).ExecuteAsync();
        Assert.NotEqual(signedIn.AccessToken, refreshed.AccessToken);
        Assert.NotEqual(firstRefreshToken, cache.RefreshTokens().Single());
        Assert.Equal(SandboxClient.MeganUpn, refreshed.Account.Username);
        GraphAssert.Status(await Sandbox.GetAsync("beta/users/adele.vance@contoso.com/profile/positions", refreshed.AccessToken), 200);

        // Four clients that loaded the cache before the refresh all refresh at once with the rotated-out token.
        var copies = Enumerable.Range(0, 4).Select(_ =>
        {
            var copy = MsalSandbox.App(Https, http);
            new MsalSandbox.CacheFile { Bytes = beforeRefresh }.Bind(copy.UserTokenCache, write: false);
            return copy;
        }).ToList();
        var concurrent = await Task.WhenAll(copies.Select(async copy =>
            await copy.AcquireTokenSilent(MsalSandbox.WriteAll, (await copy.GetAccountsAsync()).Single()).WithForceRefresh(true).ExecuteAsync()));
        Assert.Equal(4, concurrent.Select(result => result.AccessToken).Distinct().Count());
        foreach (var result in concurrent)
        {
            GraphAssert.Status(await Sandbox.GetAsync("beta/me/profile/positions", result.AccessToken), 200);
        }

        // Once the grace period is over, the rotated-out token is refused; the newest one still works.
        await MsalSandbox.SetIdentitySettingsAsync(Sandbox, """{"refreshGrace":1}""");
        await Task.Delay(1200);
        var late = MsalSandbox.App(Https, http);
        new MsalSandbox.CacheFile { Bytes = beforeRefresh }.Bind(late.UserTokenCache, write: false);
        var refused = await Assert.ThrowsAsync<MsalUiRequiredException>(async () =>
            await late.AcquireTokenSilent(MsalSandbox.WriteAll, (await late.GetAccountsAsync()).Single()).WithForceRefresh(true).ExecuteAsync());
        Assert.Equal("invalid_grant", refused.ErrorCode);
        Assert.Contains("AADSTS70008", refused.Message, StringComparison.Ordinal);
        await app.AcquireTokenSilent(MsalSandbox.WriteAll, signedIn.Account).WithForceRefresh(true).ExecuteAsync();
    }

    [Fact]
    public async Task A_short_token_lifetime_makes_every_silent_call_refresh()
    {
        // MSAL treats a token that expires within five minutes as expired.
        await MsalSandbox.SetIdentitySettingsAsync(Sandbox, """{"tokenLifetime":60}""");
        var app = MsalSandbox.App(Https, http);
        var signedIn = await MsalSandbox.InteractiveSignInAsync(app, new LoopbackBrowser(noRedirect), SandboxClient.AdeleUpn, MsalSandbox.WriteAll);
        Assert.InRange(signedIn.ExpiresOn, DateTimeOffset.UtcNow.AddSeconds(50), DateTimeOffset.UtcNow.AddSeconds(61));
        await Sandbox.ClearJournalAsync();

        for (var i = 0; i < 3; i++)
        {
            var silent = await app.AcquireTokenSilent(MsalSandbox.WriteAll, signedIn.Account).ExecuteAsync();
            Assert.Equal(TokenSource.IdentityProvider, silent.AuthenticationResultMetadata.TokenSource);
        }

        var refreshes = await MsalSandbox.IdentityRequestsAsync(Sandbox);
        Assert.Equal(3, refreshes.Count);
        Assert.All(refreshes, entry =>
        {
            Assert.Equal(200, entry["status"]!.GetValue<int>());
            Assert.Contains("grant_type=refresh_token", entry["body"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("refresh_token=REDACTED", entry["body"]!.GetValue<string>(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Revoked_and_expired_refresh_tokens_need_a_new_sign_in()
    {
        var app = MsalSandbox.App(Https, http);
        var browser = new LoopbackBrowser(noRedirect);
        var signedIn = await MsalSandbox.InteractiveSignInAsync(app, browser, SandboxClient.AdeleUpn, MsalSandbox.WriteAll);

        var revoked = await Sandbox.SendAsync(HttpMethod.Post, "_sandbox/identity/revoke?user=adele.vance@contoso.com");
        GraphAssert.Status(revoked, 200);
        Assert.Equal(1, revoked.Object["refreshTokensRevoked"]!.GetValue<int>());
        var error = await Assert.ThrowsAsync<MsalUiRequiredException>(() => app.AcquireTokenSilent(MsalSandbox.WriteAll, signedIn.Account).WithForceRefresh(true).ExecuteAsync());
        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Contains("AADSTS50173: The provided grant has expired due to it being revoked", error.Message, StringComparison.Ordinal);

        // The access token issued before the revocation still works (no continuous access evaluation), and a new
        // sign-in is not affected by the earlier revocation.
        GraphAssert.Status(await Sandbox.GetAsync("beta/me/profile/positions", signedIn.AccessToken), 200);
        var again = await MsalSandbox.InteractiveSignInAsync(app, browser, SandboxClient.AdeleUpn, MsalSandbox.WriteAll);
        await app.AcquireTokenSilent(MsalSandbox.WriteAll, again.Account).WithForceRefresh(true).ExecuteAsync();

        await MsalSandbox.SetIdentitySettingsAsync(Sandbox, """{"refreshTokenLifetime":1}""");
        var shortLived = await MsalSandbox.InteractiveSignInAsync(app, browser, SandboxClient.AdeleUpn, MsalSandbox.WriteAll);
        await Task.Delay(1100);
        var expired = await Assert.ThrowsAsync<MsalUiRequiredException>(() => app.AcquireTokenSilent(MsalSandbox.WriteAll, shortLived.Account).WithForceRefresh(true).ExecuteAsync());
        Assert.Equal("invalid_grant", expired.ErrorCode);
        Assert.Contains("AADSTS70008", expired.Message, StringComparison.Ordinal);
        GraphAssert.ODataError(await Sandbox.SendAsync(HttpMethod.Post, "_sandbox/identity/revoke?user=nobody@contoso.com"), 404, "Request_ResourceNotFound");
    }

    [Fact]
    public async Task A_silent_request_for_a_scope_never_granted_needs_consent()
    {
        var app = MsalSandbox.App(Https, http);
        var signedIn = await MsalSandbox.InteractiveSignInAsync(app, new LoopbackBrowser(noRedirect), SandboxClient.AdeleUpn, ["User.Read"]);
        var error = await Assert.ThrowsAsync<MsalUiRequiredException>(() => app.AcquireTokenSilent(MsalSandbox.WriteAll, signedIn.Account).ExecuteAsync());
        Assert.Equal("invalid_grant", error.ErrorCode);
        Assert.Equal(UiRequiredExceptionClassification.ConsentRequired, error.Classification);
        Assert.Contains("AADSTS65001", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        http.Dispose();
        noRedirect.Dispose();
    }
}
