using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>--data in process: a hand-written tenant file loads, is written through, and reset returns to its first content.</summary>
public sealed class DataFileTests : IDisposable
{
    private const string UserId = "db789417-4ccb-41d1-a0a9-47b01a09ea49";
    private const string Upn = "innocenty.popov@adventureworks.com";
    private readonly string folder = Path.Combine(Path.GetTempPath(), "pp-sandbox-tests", Guid.NewGuid().ToString("N"));

    public DataFileTests()
    {
        Directory.CreateDirectory(folder);
    }

    [Fact]
    public async Task Hand_written_file_loads_writes_through_and_resets_to_its_content()
    {
        // The documented create response, with a real date instead of the documentation placeholder.
        var documented = GoldenJson.Load("create-response.json").AsObject();
        documented["detail"]!["startMonthYear"] = "2001-01-01";
        var file = Path.Combine(folder, "custom.json");
        var initial = new JsonObject
        {
            ["version"] = 1,
            ["users"] = new JsonArray(
                new JsonObject { ["id"] = UserId, ["userPrincipalName"] = Upn, ["displayName"] = "Innocenty Popov" },
                new JsonObject { ["id"] = "5d1b2c3e-0000-4000-8000-000000000001", ["userPrincipalName"] = "$ops@adventureworks.com", ["displayName"] = "Ops" }),
            ["positions"] = new JsonObject { [UserId] = new JsonArray(documented.DeepClone()) },
        };
        await File.WriteAllTextAsync(file, initial.ToJsonString());

        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 8, DataFile = file });
        using var client = new SandboxClient(server.BaseUri);

        var users = await client.UsersAsync();
        Assert.Equal([Upn, "$ops@adventureworks.com"], users.Select(u => u.UserPrincipalName));
        var token = await client.TokenAsync(Upn, "User.ReadWrite.All");

        // The stored documented object comes back as written, with the schema's other members present as null.
        var list = await client.GetAsync("beta/me/profile/positions", token);
        GraphAssert.Status(list, 200);
        GraphAssert.SameMembers(documented, Assert.Single(list.Object["value"]!.AsArray()));
        var one = await client.GetAsync("beta/users('$ops@adventureworks.com')/profile/positions", token);
        Assert.Empty(one.Object["value"]!.AsArray());

        await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("Written through"));
        var written = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.Equal(1, written["version"]!.GetValue<int>());
        Assert.Equal(2, written["positions"]![UserId]!.AsArray().Count);
        var firstState = await client.StateAsync();

        await client.ResetAsync();
        var reset = await client.StateAsync();
        AssertSamePositions(initial, reset);
        Assert.Equal(2, firstState["positions"]![UserId]!.AsArray().Count);
        AssertSamePositions(initial, JsonNode.Parse(await File.ReadAllTextAsync(file))!);
        await server.StopAsync();
    }

    [Fact]
    public async Task Missing_file_is_created_with_the_demo_tenant()
    {
        var file = Path.Combine(folder, "new.json");
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 9, DataFile = file });
        using var client = new SandboxClient(server.BaseUri);
        var token = await client.TokenAsync();
        await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("First"));

        Assert.True(File.Exists(file));
        var written = JsonNode.Parse(await File.ReadAllTextAsync(file))!;
        Assert.Equal(
            (await client.UsersAsync()).Select(u => u.UserPrincipalName).Order(),
            written["users"]!.AsArray().Select(u => u!["userPrincipalName"]!.GetValue<string>()).Order());
        Assert.Contains(SandboxClient.GuestUpn, written["users"]!.AsArray().Select(u => u!["userPrincipalName"]!.GetValue<string>()));
        var adele = await client.UserAsync(SandboxClient.AdeleUpn);
        Assert.Equal("First", Assert.Single(written["positions"]![adele.Id]!.AsArray())!["detail"]!["jobTitle"]!.GetValue<string>());
        await server.StopAsync();
    }

    // Users without positions may be listed with an empty array.
    private static void AssertSamePositions(JsonNode expected, JsonNode actual)
    {
        GraphAssert.SameMembers(expected["positions"]![UserId], actual["positions"]![UserId]);
        Assert.All(actual["positions"]!.AsObject().Where(p => p.Key != UserId), p => Assert.Empty(p.Value!.AsArray()));
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
