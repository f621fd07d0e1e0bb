using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>/_sandbox admin routes: health, users, state, reset and the journal.</summary>
public sealed class AdminRouteTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    [Fact]
    public async Task Health_reports_status_seed_and_counts()
    {
        var health = await Sandbox.HealthAsync();
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal(SandboxFixture.FixedSeed, health["seed"]!.GetValue<int>());
        Assert.Equal(Fixture.Server.Seed, health["seed"]!.GetValue<int>());
        Assert.Equal(0, health["violations"]!.GetValue<int>());
        Assert.Equal(0, health["positions"]!.GetValue<int>());
        Assert.Equal((await Sandbox.UsersAsync()).Count, health["users"]!.GetValue<int>());

        var token = await Sandbox.TokenAsync();
        await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody("Counted"));
        await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody("Counted too"));
        Assert.Equal(2, (await Sandbox.HealthAsync())["positions"]!.GetValue<int>());
    }

    [Fact]
    public async Task Demo_tenant_has_the_documented_users()
    {
        var response = await Sandbox.GetAsync("_sandbox/users");
        GraphAssert.Status(response, 200);
        var users = response.Json!.AsArray().Select(u => u!.AsObject()).ToList();
        Assert.True(users.Count >= 6);
        var expected = new Dictionary<string, string?>
        {
            [SandboxClient.AdeleUpn] = "Adele Vance",
            [SandboxClient.MeganUpn] = "Megan Bowen",
            [SandboxClient.GuestUpn] = "Alex Wilber",
            [SandboxClient.DollarUpn] = null,
            [SandboxClient.ApostropheUpn] = null,
            [SandboxClient.InnocentyUpn] = "Innocenty Popov",
        };
        foreach (var (upn, displayName) in expected)
        {
            var user = Assert.Single(users, u => u["userPrincipalName"]!.GetValue<string>() == upn);
            Assert.True(Guid.TryParse(user!["id"]!.GetValue<string>(), out _));
            Assert.False(string.IsNullOrEmpty(user["displayName"]!.GetValue<string>()));
            if (displayName is not null)
            {
                Assert.Equal(displayName, user["displayName"]!.GetValue<string>());
            }
        }

        Assert.Equal(users.Count, users.Select(u => u["id"]!.GetValue<string>()).Distinct().Count());

        // Fixed ids: a second sandbox seeds the same tenant.
        await using var other = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 123 });
        using var otherClient = new SandboxClient(other.BaseUri);
        Assert.Equal(await Sandbox.UsersAsync(), await otherClient.UsersAsync());
    }

    [Fact]
    public async Task State_lists_users_and_positions_by_user_id()
    {
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var created = await Sandbox.CreatePositionAsync("me", await Sandbox.TokenAsync(), SandboxClient.PositionBody("Stated"));
        var state = await Sandbox.StateAsync();
        Assert.Contains(state["users"]!.AsArray(), u => u!["id"]!.GetValue<string>() == adele.Id);
        var stored = Assert.Single(state["positions"]![adele.Id]!.AsArray());
        GraphAssert.JsonEqual(Without(created, "@odata.context"), Without(stored!.AsObject(), "@odata.context"));
    }

    [Fact]
    public async Task Reset_restores_the_seeded_state_and_clears_faults_journal_and_violations()
    {
        var token = await Sandbox.TokenAsync();
        var seeded = await Sandbox.StateAsync();
        await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody("Temporary"));
        await Sandbox.SetPenaltyAsync(true);
        await Sandbox.AddFaultsAsync("""{"method":"GET","path":"^/me/profile/positions$","status":429,"retryAfter":"60","times":1}""");
        await Sandbox.GetAsync("beta/me/profile/positions", token);
        await Sandbox.GetAsync("beta/me/profile/positions", token);
        Assert.Equal(1, (await Sandbox.HealthAsync())["violations"]!.GetValue<int>());

        var reset = await Sandbox.SendAsync(HttpMethod.Post, "_sandbox/state/reset");
        Assert.True(reset.StatusCode is 200 or 204, reset.ToString());

        GraphAssert.JsonEqual(seeded, await Sandbox.StateAsync());
        var health = await Sandbox.HealthAsync();
        Assert.Equal(0, health["violations"]!.GetValue<int>());
        Assert.Equal(0, health["positions"]!.GetValue<int>());
        Assert.Empty((await Sandbox.GetAsync("_sandbox/faults")).Json!.AsArray());
        Assert.DoesNotContain(await Sandbox.JournalAsync(), e => e!["path"]!.GetValue<string>().Contains("profile/positions", StringComparison.OrdinalIgnoreCase));
        GraphAssert.Status(await Sandbox.GetAsync("beta/me/profile/positions", token), 200);
    }

    [Fact]
    public async Task Journal_lists_graph_requests_newest_last()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.ClearJournalAsync();
        await Sandbox.GetAsync("beta/me/profile/positions?$top=1", token);
        await Sandbox.PostJsonAsync("beta/me/profile/positions", token, SandboxClient.PositionBody("Journal"));
        await Sandbox.GetAsync("beta/me/profile/positions/none", token);

        var graph = (await Sandbox.JournalAsync()).Where(e => e!["path"]!.GetValue<string>().Contains("profile/positions", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(["GET", "POST", "GET"], graph.Select(e => e!["method"]!.GetValue<string>()));
        Assert.Equal([200, 201, 404], graph.Select(e => e!["status"]!.GetValue<int>()));
        var seqs = graph.Select(e => e!["seq"]!.GetValue<long>()).ToList();
        Assert.Equal(seqs.Order(), seqs);
        Assert.Contains("top=1", Uri.UnescapeDataString(graph[0]!["query"]!.GetValue<string>()), StringComparison.Ordinal);
        Assert.All(graph, e => Assert.NotNull(e!["time"]));
        Assert.All(graph, e => Assert.Null(e!["batchItemId"]));
    }

    [Fact]
    public async Task Journal_names_the_caller_whose_token_sent_each_request_apart_from_the_user_addressed()
    {
        var users = await Sandbox.UsersAsync();
        var caller = users[0].UserPrincipalName;
        var other = users[1].Id;
        var token = await Sandbox.TokenAsync(caller, "User.ReadWrite.All");
        await Sandbox.ClearJournalAsync();
        await Sandbox.PostJsonAsync($"beta/users/{other}/profile/positions", token, SandboxClient.PositionBody("Written for another user"));
        await Sandbox.GetAsync("beta/me/profile/positions", "not-a-token");

        var graph = (await Sandbox.JournalAsync()).Where(e => e!["path"]!.GetValue<string>().Contains("profile/positions", StringComparison.OrdinalIgnoreCase)).ToList();
        Assert.Equal(caller, graph[0]!["caller"]!.GetValue<string>());
        Assert.NotEqual(caller, graph[0]!["user"]!.GetValue<string>());
        Assert.Null(graph[1]!["caller"]);
    }

    [Fact]
    public async Task Admin_routes_are_not_under_beta()
    {
        var response = await Sandbox.GetAsync("beta/_sandbox/health", await Sandbox.TokenAsync());
        GraphAssert.ODataError(response, 404, null);
    }

    private static JsonObject Without(JsonObject node, string member)
    {
        var copy = node.DeepClone().AsObject();
        copy.Remove(member);
        return copy;
    }
}
