using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>Every way Graph lets a caller address a user: /me, id, UPN, users('…'), guests, '$' and apostrophes.</summary>
public sealed class UserAddressingTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    public static TheoryData<string, string> Forms => new()
    {
        // { upn of the target user, path template: {id} = object id, {upn} = UPN as written }
        { SandboxClient.AdeleUpn, "users/{id}" },
        { SandboxClient.AdeleUpn, "users/adele.vance@contoso.com" },
        { SandboxClient.AdeleUpn, "users/ADELE.VANCE@CONTOSO.COM" },
        { SandboxClient.AdeleUpn, "users('adele.vance@contoso.com')" },
        { SandboxClient.MeganUpn, "users/megan.bowen@contoso.com" },
        { SandboxClient.GuestUpn, "users/alex.wilber_fabrikam.com%23EXT%23@contoso.onmicrosoft.com" },
        { SandboxClient.GuestUpn, "users('alex.wilber_fabrikam.com%23EXT%23@contoso.onmicrosoft.com')" },
        { SandboxClient.GuestUpn, "users/{id}" },
        { SandboxClient.DollarUpn, "users('$svc.positions@contoso.com')" },
        { SandboxClient.DollarUpn, "users/{id}" },
        { SandboxClient.ApostropheUpn, "users('patrick.o''brien@contoso.com')" },
        { SandboxClient.ApostropheUpn, "users/patrick.o'brien@contoso.com" },
        { SandboxClient.InnocentyUpn, "users/innocenty.popov@contoso.com" },
    };

    [Theory]
    [MemberData(nameof(Forms))]
    public async Task Every_addressing_form_reaches_the_same_user(string upn, string template)
    {
        var user = await Sandbox.UserAsync(upn);
        var path = template.Replace("{id}", user.Id, StringComparison.Ordinal);
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All");

        var created = await Sandbox.PostJsonAsync($"beta/{path}/profile/positions", token, SandboxClient.PositionBody("Addressed"));
        GraphAssert.Status(created, 201);
        var id = created.Object["id"]!.GetValue<string>();

        var list = await Sandbox.GetAsync($"beta/{path}/profile/positions", token);
        GraphAssert.Status(list, 200);
        Assert.Equal(id, Assert.Single(list.Object["value"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Contains($"users('{user.Id}')", list.Object["@odata.context"]!.GetValue<string>(), StringComparison.Ordinal);

        var one = await Sandbox.GetAsync($"beta/{path}/profile/positions/{id}", token);
        GraphAssert.Status(one, 200);
        var patched = await Sandbox.PatchJsonAsync($"beta/{path}/profile/positions/{id}", token, """{"isCurrent":false}""");
        GraphAssert.Status(patched, 200);

        // The server stores it under the user's object id, whatever form addressed it.
        var state = await Sandbox.StateAsync();
        var stored = Assert.Single(state["positions"]![user.Id]!.AsArray());
        Assert.Equal(id, stored!["id"]!.GetValue<string>());
        Assert.False(stored["isCurrent"]!.GetValue<bool>());

        GraphAssert.Status(await Sandbox.DeleteAsync($"beta/{path}/profile/positions/{id}", token), 204);
    }

    [Fact]
    public async Task Me_id_and_upn_address_one_set_of_positions()
    {
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
        await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody("Via me"));
        await Sandbox.CreatePositionAsync($"users/{adele.Id}", token, SandboxClient.PositionBody("Via id"));
        await Sandbox.CreatePositionAsync("users/adele.vance@contoso.com", token, SandboxClient.PositionBody("Via upn"));

        string[] expected = ["Via me", "Via id", "Via upn"];
        foreach (var path in new[] { "me", $"users/{adele.Id}", "users/adele.vance@contoso.com", "users('adele.vance@contoso.com')" })
        {
            var list = await Sandbox.GetAsync($"beta/{path}/profile/positions", token);
            GraphAssert.Status(list, 200);
            Assert.Equal(expected, list.Object["value"]!.AsArray().Select(p => p!["detail"]!["jobTitle"]!.GetValue<string>()));
        }
    }

    [Theory]
    [InlineData("users/$svc.positions@contoso.com")]
    [InlineData("users/%24svc.positions@contoso.com")]
    public async Task Dollar_upn_in_plain_form_is_a_bad_request(string path)
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All");
        GraphAssert.ODataError(await Sandbox.GetAsync($"beta/{path}/profile/positions", token), 400, "BadRequest");
        GraphAssert.ODataError(await Sandbox.PostJsonAsync($"beta/{path}/profile/positions", token, SandboxClient.PositionBody("x")), 400, "BadRequest");
        var state = await Sandbox.StateAsync();
        Assert.All(state["positions"]!.AsObject(), pair => Assert.Empty(pair.Value!.AsArray()));
    }

    [Fact]
    public async Task Me_token_of_each_demo_user_writes_its_own_profile()
    {
        foreach (var user in await Sandbox.UsersAsync())
        {
            var token = await Sandbox.TokenAsync(user.UserPrincipalName, "User.ReadWrite");
            var created = await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody("Own " + user.DisplayName));
            Assert.Equal(user.Id, created["createdBy"]!["user"]!["id"]!.GetValue<string>());
            Assert.Equal(user.DisplayName, created["createdBy"]!["user"]!["displayName"]!.GetValue<string>());
        }

        var state = await Sandbox.StateAsync();
        foreach (var user in await Sandbox.UsersAsync())
        {
            var stored = Assert.Single(state["positions"]![user.Id]!.AsArray());
            Assert.Equal("Own " + user.DisplayName, stored!["detail"]!["jobTitle"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task Unknown_user_is_request_resource_not_found_in_every_form()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All");
        foreach (var path in new[] { "users/nobody@contoso.com", "users('nobody@contoso.com')", $"users/{Guid.NewGuid()}" })
        {
            var error = GraphAssert.ODataError(await Sandbox.GetAsync($"beta/{path}/profile/positions", token), 404, "Request_ResourceNotFound");
            Assert.Contains("does not exist or one of its queried reference-property objects are not present", error["message"]!.GetValue<string>(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Path_segments_are_case_insensitive()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
        var created = await Sandbox.PostJsonAsync("BETA/Me/Profile/Positions", token, SandboxClient.PositionBody("Cased"));
        GraphAssert.Status(created, 201);
        var list = await Sandbox.GetAsync("beta/ME/PROFILE/POSITIONS", token);
        GraphAssert.Status(list, 200);
        Assert.Single(list.Object["value"]!.AsArray());
    }
}
