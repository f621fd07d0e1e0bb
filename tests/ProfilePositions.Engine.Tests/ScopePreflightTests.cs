using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>
/// The scope preflight: certain refusals only (another object id or another UPN without a .All scope, a write without any
/// write scope); everything it cannot be sure of (UPN aliases, guests, tokens without scp, agent scopes) is Graph's to decide.
/// </summary>
public sealed class ScopePreflightTests
{
    private const string AdeleId = "5f2a4c3e-1b7d-4e8f-9a06-2c1d3b4e5f60";
    private const string LeeId = "0b9e8d7c-6a5f-4e3d-2c1b-0a9f8e7d6c5b";

    private static AuthSnapshot Snapshot(string? scp, string? upn = "adele@contoso.com", string? oid = AdeleId, object? extra = null, ProfileGraphContext? context = null)
    {
        var claims = new Dictionary<string, object?> { ["aud"] = "https://graph.microsoft.com", ["iss"] = "https://sts.windows.net/t/" };
        if (scp != null) claims["scp"] = scp;
        if (upn != null) claims["upn"] = upn;
        if (oid != null) claims["oid"] = oid;
        if (extra is IDictionary<string, object?> more)
        {
            foreach (var pair in more) claims[pair.Key] = pair.Value;
        }

        var info = AccessTokenInfo.Decode(TestTokens.Make(claims));
        return new AuthSnapshot
        {
            Scopes = info.Scopes,
            ScopesFromToken = info.Scopes.Count > 0,
            ObjectId = info.ObjectId,
            UserPrincipalName = info.UserPrincipalName,
            IsGuest = info.IsGuest,
            Context = context ?? new ProfileGraphContext { AuthType = "Delegated", TokenCredentialType = "InteractiveBrowser", Environment = "Global", TenantId = "contoso.onmicrosoft.com" },
        };
    }

    [Theory]
    [InlineData(null)]
    [InlineData("me")]
    [InlineData("ME")]
    [InlineData(AdeleId)]
    [InlineData("5F2A4C3E-1B7D-4E8F-9A06-2C1D3B4E5F60")]
    [InlineData("Adele@Contoso.com")]
    public void MeTheObjectIdAndTheUpnAreTheSignedInUserInAnyCase(string? userId)
    {
        Assert.Equal(TargetUser.SignedIn, ScopePreflight.Classify(Snapshot("User.ReadWrite"), userId));
        Assert.Equal(ScopeVerdict.Allowed, ScopePreflight.Evaluate(Snapshot("User.ReadWrite"), write: true, userId).Verdict);
    }

    [Theory]
    [InlineData(LeeId)]
    [InlineData("lee@contoso.com")]
    [InlineData("lee_fabrikam.com#EXT#@contoso.onmicrosoft.com")]
    public void AnotherObjectIdOrUpnIsCertainlyAnotherUser(string userId)
    {
        var auth = Snapshot("User.ReadWrite");

        Assert.Equal(TargetUser.Other, ScopePreflight.Classify(auth, userId));
        var refusal = ScopePreflight.Refusal(auth, write: true, userId);
        Assert.NotNull(refusal);
        Assert.Equal("User.ReadWrite.All", refusal!.Scope);
        Assert.True(refusal.StopsTheRun);
        Assert.Contains("another user", refusal.Message);
        Assert.Contains("(its scopes: User.ReadWrite)", refusal.Message);
        Assert.Contains("was not sent", refusal.Message);
        Assert.Equal("Connect-ProfileGraph -Scopes User.ReadWrite.All -TenantId contoso.onmicrosoft.com", refusal.Fix);
        Assert.EndsWith(refusal.Fix, refusal.Message);
    }

    [Theory]
    [InlineData("adele@contoso.onmicrosoft.com", "the same name in another domain may be an alias of the signed-in user")]
    [InlineData("adele", "not a UPN: Graph resolves it")]
    public void AUserWhoMayBeTheSignedInOneIsSentAndGraphDecides(string userId, string why)
    {
        var auth = Snapshot("User.ReadWrite");

        Assert.Equal(TargetUser.Unsure, ScopePreflight.Classify(auth, userId));
        Assert.True(ScopePreflight.Evaluate(auth, write: true, userId).Verdict == ScopeVerdict.Unknown, why);
        Assert.Null(ScopePreflight.Refusal(auth, write: true, userId));
    }

    [Fact]
    public void AGuestsTokenNamesNoUpnTheTenantKnows_SoUpnsAreSent()
    {
        var guest = Snapshot("User.ReadWrite", upn: "adele@fabrikam.com", extra: new Dictionary<string, object?> { ["idp"] = "https://sts.windows.net/home-tenant/" });
        var acct = Snapshot("User.ReadWrite", upn: "adele@fabrikam.com", extra: new Dictionary<string, object?> { ["acct"] = 1 });
        var member = Snapshot("User.ReadWrite", upn: "adele@fabrikam.com", extra: new Dictionary<string, object?> { ["idp"] = "https://sts.windows.net/t/" });

        Assert.True(guest.IsGuest);
        Assert.True(acct.IsGuest);
        Assert.False(member.IsGuest, "an idp equal to the issuer is the tenant's own account");
        Assert.Null(ScopePreflight.Refusal(guest, write: true, "adele_fabrikam.com#EXT#@contoso.onmicrosoft.com"));
        Assert.Null(ScopePreflight.Refusal(acct, write: true, "someone@contoso.com"));
        Assert.NotNull(ScopePreflight.Refusal(member, write: true, "someone@contoso.com"));
        // Object ids are certain for guests too: the oid is the guest's object in this tenant.
        Assert.NotNull(ScopePreflight.Refusal(guest, write: true, LeeId));
    }

    [Fact]
    public void WithoutOidOrUpnTheTokenCannotTellWhoIsAnotherUser()
    {
        Assert.Null(ScopePreflight.Refusal(Snapshot("User.ReadWrite", oid: null), write: true, LeeId));
        Assert.Null(ScopePreflight.Refusal(Snapshot("User.ReadWrite", upn: null), write: true, "lee@contoso.com"));
    }

    [Fact]
    public void ATokenWithoutScpOrWhoseScopesAreOnlyTheOnesAskedForIsNeverRefused()
    {
        Assert.Null(ScopePreflight.Refusal(Snapshot(null), write: true, LeeId));
        Assert.Null(ScopePreflight.Refusal(new AuthSnapshot { Scopes = new[] { "User.Read" }, ScopesFromToken = false, ObjectId = AdeleId }, write: true, LeeId));
        Assert.Null(ScopePreflight.Refusal(null, write: true, LeeId));
    }

    [Fact]
    public void AWriteWithoutAnyWriteScopeIsRefusedWhoeverItIsFor()
    {
        var auth = Snapshot("User.Read.All openid profile");

        var own = ScopePreflight.Refusal(auth, write: true, "me");
        Assert.Equal("User.ReadWrite", own!.Scope);
        Assert.Contains("Writing your own profile", own.Message);
        Assert.Equal("User.ReadWrite.All", ScopePreflight.Refusal(auth, write: true, LeeId)!.Scope);
        // An alias may be the signed-in user, but without any write scope neither profile can be written.
        Assert.Equal("User.ReadWrite.All", ScopePreflight.Refusal(auth, write: true, "adele@contoso.onmicrosoft.com")!.Scope);
        // Reads are allowed: User.Read.All reads every profile.
        Assert.Null(ScopePreflight.Refusal(auth, write: false, LeeId));
    }

    [Theory]
    [InlineData("User.Read", false, "me", null)]
    [InlineData("User.Read", false, LeeId, "User.Read.All")]
    [InlineData("User.ReadBasic.All", false, LeeId, null)]
    [InlineData("User.Read.All", false, LeeId, null)]
    [InlineData("User.ReadWrite", false, LeeId, "User.Read.All")]
    [InlineData("User.ReadWrite.All", false, LeeId, null)]
    [InlineData("openid profile", false, "me", "User.Read")]
    [InlineData("User.ReadWrite", true, "me", null)]
    [InlineData("User.ReadWrite.All", true, LeeId, null)]
    [InlineData("https://graph.microsoft.com/User.ReadWrite.All", true, LeeId, null)]
    [InlineData("user.readwrite.all", true, LeeId, null)]
    [InlineData("User.Read", true, "me", "User.ReadWrite")]
    public void TheScopeTableOfTheDocs(string scp, bool write, string userId, string? missing)
    {
        Assert.Equal(missing, ScopePreflight.Refusal(Snapshot(scp), write, userId)?.Scope);
    }

    [Fact]
    public void AgentScopesAllowProfilesNoClaimTellsApart_SoNothingIsRefused()
    {
        Assert.Null(ScopePreflight.Refusal(Snapshot("User.Read AgentIdUser.ReadWrite.All"), write: true, LeeId));
        Assert.Null(ScopePreflight.Refusal(Snapshot("AgentIdUser.ReadWrite.IdentityParentedBy"), write: true, "me"));
    }

    [Fact]
    public void TheFixNamesTheSameCloudTenantClientAndFlow()
    {
        var sandbox = new ProfileGraphContext
        {
            AuthType = "Delegated",
            TokenCredentialType = "DeviceCode",
            Environment = "Custom",
            TenantId = "contoso.onmicrosoft.com",
            ClientId = "11111111-2222-3333-4444-555555555555",
            GraphEndpoint = new Uri("https://127.0.0.1:5001/"),
            AuthorityHost = new Uri("https://127.0.0.1:5001/"),
        };
        Assert.Equal(
            "Connect-ProfileGraph -Scopes User.ReadWrite.All -UseDeviceCode -TenantId contoso.onmicrosoft.com -ClientId 11111111-2222-3333-4444-555555555555 -GraphEndpoint https://127.0.0.1:5001 -AuthorityHost https://127.0.0.1:5001",
            ScopePreflight.Refusal(Snapshot("User.ReadWrite", context: sandbox), write: true, LeeId)!.Fix);

        var usGov = new ProfileGraphContext { AuthType = "Delegated", TokenCredentialType = "InteractiveBrowser", Environment = "USGov", TenantId = "organizations", ClientId = SignInOptions.DefaultClientId };
        Assert.Equal("Connect-ProfileGraph -Scopes User.Read.All -Environment USGov", ScopePreflight.Refusal(Snapshot("User.Read", context: usGov), write: false, LeeId)!.Fix);

        var token = new ProfileGraphContext { AuthType = "UserProvidedAccessToken", Environment = "Custom", GraphEndpoint = new Uri("http://127.0.0.1:5000/"), ClientId = "sandbox-app" };
        var refusal = ScopePreflight.Refusal(Snapshot("User.ReadWrite", context: token), write: true, LeeId)!;
        Assert.Equal("Connect-ProfileGraph -AccessToken <a token that carries User.ReadWrite.All> -GraphEndpoint http://127.0.0.1:5000", refusal.Fix);
        Assert.Contains("Connect-ProfileGraph -Scopes User.ReadWrite.All signs in with it", refusal.Message);
    }

    [Fact]
    public void GraphsOwn403ForARequestThePreflightProvesCouldNotSucceedStopsTheRun()
    {
        // The token's scopes changed since the request was sent (a token swap), or the request bypassed the preflight:
        // Graph's 403 and the token agree that the scope is missing.
        var responses = new PositionResponses(Snapshot("User.ReadWrite"), new SecretRedactor());
        var forbidden = new RawResponse(403, RawResponse.NewHeaders(), """{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"request-id":"r-1"}}}""");

        var missing = Assert.Throws<MissingScopeException>(() => responses.Read(new PositionRequest(Microsoft.Kiota.Abstractions.Method.POST, "https://graph.microsoft.com/beta/users/" + LeeId + "/profile/positions", null, LeeId, null), forbidden, 0));
        Assert.Equal("User.ReadWrite.All", missing.Scope);
        Assert.Contains("Graph returned 403 Authorization_RequestDenied", missing.Message);
        Assert.Contains("request-id r-1", missing.Message);
        Assert.Equal(403, missing.GraphAnswer!.StatusCode);

        // A 403 about one user (the token allows the operation, or may): Graph's error for that item alone.
        var alias = Assert.Throws<GraphServiceException>(() => responses.Read(new PositionRequest(Microsoft.Kiota.Abstractions.Method.POST, "https://graph.microsoft.com/beta/users/adele@contoso.onmicrosoft.com/profile/positions", null, "adele@contoso.onmicrosoft.com", null), forbidden, 0));
        Assert.Equal(403, alias.StatusCode);
        var own = Assert.Throws<GraphServiceException>(() => responses.Read(new PositionRequest(Microsoft.Kiota.Abstractions.Method.PATCH, "https://graph.microsoft.com/beta/me/profile/positions/p1", null, null, "p1"), forbidden, 0));
        Assert.Contains("yet Graph refused", own.Hint);
    }
}
