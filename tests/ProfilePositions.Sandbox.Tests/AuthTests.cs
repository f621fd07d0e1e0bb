using System.Text;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>401 for missing, garbled, expired or wrong-audience tokens; 403 for scopes and app-only tokens.</summary>
public sealed class AuthTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    private const string MyPositions = "beta/me/profile/positions";

    [Fact]
    public async Task Missing_token_is_access_token_is_empty()
    {
        var error = GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions), 401, "InvalidAuthenticationToken");
        Assert.Equal("Access token is empty.", error["message"]!.GetValue<string>());
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(MyPositions, null, SandboxClient.PositionBody("x")), 401, "InvalidAuthenticationToken");
    }

    public static TheoryData<string> GarbledTokens => new() { "not-a-jwt", "a.b.c", "eyJhbGciOiJIUzI1NiJ9..", "....", "Zm9v.YmFy.YmF6" };

    [Theory]
    [MemberData(nameof(GarbledTokens))]
    public async Task Garbled_token_is_invalid(string garbled)
    {
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, garbled), 401, "InvalidAuthenticationToken");
    }

    [Fact]
    public async Task Token_with_a_foreign_signature_or_payload_is_invalid()
    {
        var adele = (await Sandbox.TokenAsync(SandboxClient.AdeleUpn)).Split('.');
        var megan = (await Sandbox.TokenAsync(SandboxClient.MeganUpn)).Split('.');

        // Megan's claims under Adele's signature: a forged identity.
        var forged = $"{megan[0]}.{megan[1]}.{adele[2]}";
        var error = GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, forged), 401, "InvalidAuthenticationToken");
        Assert.Contains("invalid", error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);

        // Same claims, unsigned ("alg":"none").
        var none = $"{Base64Url("""{"alg":"none","typ":"JWT"}""")}.{adele[1]}.";
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, none), 401, "InvalidAuthenticationToken");

        // A token minted by another sandbox process carries a different secret.
        await using var other = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 5 });
        using var otherClient = new SandboxClient(other.BaseUri);
        var foreign = await otherClient.TokenAsync(SandboxClient.AdeleUpn);
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, foreign), 401, "InvalidAuthenticationToken");
    }

    [Fact]
    public async Task Expired_token_is_rejected()
    {
        var expired = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite", lifetimeSeconds: -600);
        var error = GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, expired), 401, "InvalidAuthenticationToken");
        Assert.Equal("Access token has expired or is not yet valid.", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Wrong_audience_is_rejected()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite", audience: "api://some-other-api");
        var error = GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, token), 401, "InvalidAuthenticationToken");
        Assert.Equal("Invalid audience.", error["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Non_bearer_scheme_is_rejected()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var response = await Sandbox.SendAsync(HttpMethod.Get, MyPositions, headers: new Dictionary<string, string> { ["Authorization"] = "Basic " + token });
        GraphAssert.ODataError(response, 401, "InvalidAuthenticationToken");
    }

    public static TheoryData<string, string, bool, int> ScopeMatrix => new()
    {
        // { scopes, target ("me" | "self" = own id | "other"), write?, expected status }
        { "User.Read", "me", false, 200 },
        { "User.ReadWrite", "me", false, 200 },
        { "User.ReadBasic.All", "me", false, 200 },
        { "User.Read.All", "me", false, 200 },
        { "User.ReadWrite.All", "me", false, 200 },
        { "Mail.Read", "me", false, 403 },
        { "User.Read", "me", true, 403 },
        { "User.Read.All", "me", true, 403 },
        { "User.ReadWrite", "me", true, 201 },
        { "User.ReadWrite.All", "me", true, 201 },
        { "User.ReadWrite", "self", true, 201 },
        { "User.Read", "other", false, 403 },
        { "User.ReadWrite", "other", false, 403 },
        { "User.Read.All", "other", false, 200 },
        { "User.ReadBasic.All", "other", false, 200 },
        { "User.ReadWrite.All", "other", false, 200 },
        { "User.ReadWrite", "other", true, 403 },
        { "User.Read.All", "other", true, 403 },
        { "User.ReadWrite.All", "other", true, 201 },
        { "Mail.Read User.Read", "me", false, 200 },
        { "Mail.Read,User.ReadWrite", "me", true, 201 },
    };

    [Theory]
    [MemberData(nameof(ScopeMatrix))]
    public async Task Scopes_decide_reads_and_writes(string scopes, string target, bool write, int expected)
    {
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var megan = await Sandbox.UserAsync(SandboxClient.MeganUpn);
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, scopes);
        var path = target switch
        {
            "me" => MyPositions,
            "self" => $"beta/users/{adele.Id}/profile/positions",
            _ => $"beta/users/{megan.Id}/profile/positions",
        };
        var before = await Sandbox.StateAsync();

        var response = write
            ? await Sandbox.PostJsonAsync(path, token, SandboxClient.PositionBody("Scoped"))
            : await Sandbox.GetAsync(path, token);

        if (expected == 403)
        {
            var error = GraphAssert.ODataError(response, 403, "Authorization_RequestDenied");
            Assert.Equal("Insufficient privileges to complete the operation.", error["message"]!.GetValue<string>());
            GraphAssert.JsonEqual(before, await Sandbox.StateAsync());
        }
        else
        {
            GraphAssert.Status(response, expected);
        }
    }

    [Fact]
    public async Task Patch_and_delete_need_write_scopes_too()
    {
        var writer = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
        var reader = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.Read");
        var created = await Sandbox.CreatePositionAsync("me", writer, SandboxClient.PositionBody("Keep"));
        var item = $"{MyPositions}/{created["id"]}";

        GraphAssert.ODataError(await Sandbox.PatchJsonAsync(item, reader, """{"isCurrent":false}"""), 403, "Authorization_RequestDenied");
        GraphAssert.ODataError(await Sandbox.DeleteAsync(item, reader), 403, "Authorization_RequestDenied");
        GraphAssert.Status(await Sandbox.GetAsync(item, reader), 200);
        var stored = Assert.Single((await Sandbox.StateAsync())["positions"]![(await Sandbox.UserAsync(SandboxClient.AdeleUpn)).Id]!.AsArray());
        Assert.True(stored!["isCurrent"]!.GetValue<bool>());
    }

    [Theory]
    [InlineData("GET", "beta/me/profile/positions")]
    [InlineData("POST", "beta/me/profile/positions")]
    [InlineData("GET", "beta/users/megan.bowen@contoso.com/profile/positions")]
    [InlineData("POST", "beta/users/megan.bowen@contoso.com/profile/positions")]
    public async Task App_only_tokens_are_not_supported(string method, string path)
    {
        var app = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All", app: true);
        var response = method == "GET"
            ? await Sandbox.GetAsync(path, app)
            : await Sandbox.PostJsonAsync(path, app, SandboxClient.PositionBody("App"));
        var error = GraphAssert.ODataError(response, 403, "Authorization_RequestDenied");
        Assert.Contains("application", error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Auth_is_checked_before_user_lookup_and_validation()
    {
        var reader = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.Read");
        GraphAssert.ODataError(await Sandbox.GetAsync("beta/users/nobody@contoso.com/profile/positions"), 401, "InvalidAuthenticationToken");
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(MyPositions, null, "{not json"), 401, "InvalidAuthenticationToken");
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(MyPositions, reader, "{not json"), 403, "Authorization_RequestDenied");
        GraphAssert.ODataError(await Sandbox.PatchJsonAsync($"{MyPositions}/{Guid.NewGuid()}", reader, """{"isCurrent":false}"""), 403, "Authorization_RequestDenied");
    }

    [Fact]
    public async Task Minted_tokens_carry_the_documented_claims()
    {
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var response = await Sandbox.GetAsync("_sandbox/token?user=" + Uri.EscapeDataString(SandboxClient.AdeleUpn) + "&scopes=User.Read,User.ReadWrite");
        GraphAssert.Status(response, 200);
        var token = response.Object["access_token"]!.GetValue<string>();
        var (header, claims) = Decode(token);
        Assert.Equal("HS256", header["alg"]!.GetValue<string>());
        Assert.Equal("JWT", header["typ"]!.GetValue<string>());
        Assert.Equal("https://graph.microsoft.com", claims["aud"]!.GetValue<string>());
        var tid = claims["tid"]!.GetValue<string>();
        Assert.Equal($"https://sts.windows.net/{tid}/", claims["iss"]!.GetValue<string>());
        Assert.Equal(adele.Id, claims["oid"]!.GetValue<string>());
        Assert.Equal(adele.UserPrincipalName, claims["upn"]!.GetValue<string>());
        Assert.Equal(adele.DisplayName, claims["name"]!.GetValue<string>());
        Assert.Equal("User.Read User.ReadWrite", claims["scp"]!.GetValue<string>());
        Assert.Null(claims["roles"]);
        var iat = claims["iat"]!.GetValue<long>();
        Assert.Equal(3600, claims["exp"]!.GetValue<long>() - iat);
        Assert.True(claims["nbf"]!.GetValue<long>() <= iat);
        Assert.Equal(claims["exp"]!.GetValue<long>(), response.Object["expires_on"]!.GetValue<long>());
    }

    [Fact]
    public async Task App_tokens_carry_roles_and_no_scp_and_lifetime_is_honoured()
    {
        var meganId = (await Sandbox.UserAsync(SandboxClient.MeganUpn)).Id;
        var response = await Sandbox.GetAsync($"_sandbox/token?user={meganId}&scopes=User.ReadWrite.All%20User.Read.All&app=true&lifetime=120");
        GraphAssert.Status(response, 200);
        var (_, claims) = Decode(response.Object["access_token"]!.GetValue<string>());
        Assert.Null(claims["scp"]);
        Assert.Equal(["User.ReadWrite.All", "User.Read.All"], claims["roles"]!.AsArray().Select(r => r!.GetValue<string>()));
        Assert.Equal(120, claims["exp"]!.GetValue<long>() - claims["iat"]!.GetValue<long>());
    }

    [Fact]
    public async Task Token_for_unknown_user_is_not_found()
    {
        GraphAssert.ODataError(await Sandbox.GetAsync("_sandbox/token?user=nobody%40contoso.com"), 404, null);
    }

    [Fact]
    public async Task Default_token_scope_is_user_read_write()
    {
        var response = await Sandbox.GetAsync("_sandbox/token?user=" + Uri.EscapeDataString(SandboxClient.GuestUpn));
        GraphAssert.Status(response, 200);
        var token = response.Object["access_token"]!.GetValue<string>();
        Assert.Equal("User.ReadWrite", Decode(token).Claims["scp"]!.GetValue<string>());
        GraphAssert.Status(await Sandbox.PostJsonAsync(MyPositions, token, SandboxClient.PositionBody("Guest")), 201);
    }

    private static (JsonObject Header, JsonObject Claims) Decode(string jwt)
    {
        var parts = jwt.Split('.');
        Assert.Equal(3, parts.Length);
        return (JsonNode.Parse(FromBase64Url(parts[0]))!.AsObject(), JsonNode.Parse(FromBase64Url(parts[1]))!.AsObject());
    }

    private static byte[] FromBase64Url(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        return Convert.FromBase64String(padded);
    }

    private static string Base64Url(string text) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
