using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>Seeded replay of faults and ids, start-up options (seed, latency) and the command-line parser.</summary>
public sealed class SeedAndOptionsTests
{
    private const string MyPositions = "beta/me/profile/positions";

    [Fact]
    public async Task Same_seed_replays_the_same_faults_and_ids_and_another_seed_differs()
    {
        var first = await RunScenarioAsync(4242);
        var second = await RunScenarioAsync(4242);
        var other = await RunScenarioAsync(4243);

        Assert.Equal(first.Outcomes, second.Outcomes);
        Assert.Equal(first.Ids, second.Ids);
        Assert.Contains(first.Outcomes, o => o.EndsWith(":ok", StringComparison.Ordinal));
        Assert.Contains(first.Outcomes, o => !o.EndsWith(":ok", StringComparison.Ordinal));
        Assert.NotEqual(first.Outcomes, other.Outcomes);
    }

    private static async Task<(List<string> Outcomes, List<string> Ids)> RunScenarioAsync(int seed)
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = seed });
        using var client = new SandboxClient(server.BaseUri);
        Assert.Equal(seed, server.Seed);
        var token = await client.TokenAsync();
        await client.AddFaultsAsync("""
            [{"method":"GET","status":503,"probability":0.5},
             {"method":"POST","status":429,"retryAfter":"1","probability":0.5},
             {"method":"PATCH","status":500,"probability":0.5,"commit":"after"}]
            """);

        var outcomes = new List<string>();
        var ids = new List<string>();
        for (var i = 0; i < 36; i++)
        {
            SandboxResponse response;
            if (i % 3 == 0)
            {
                response = await client.PostJsonAsync(MyPositions, token, SandboxClient.PositionBody($"Seeded {i}"));
                if (response.StatusCode == 201)
                {
                    ids.Add(response.Object["id"]!.GetValue<string>());
                }
            }
            else if (i % 3 == 1 || ids.Count == 0)
            {
                response = await client.GetAsync(MyPositions, token);
            }
            else
            {
                response = await client.PatchJsonAsync($"{MyPositions}/{ids[^1]}", token, """{"isCurrent":false}""");
            }

            outcomes.Add($"{i}:{(response.StatusCode is >= 200 and < 300 ? "ok" : response.StatusCode.ToString())}");
        }

        await server.StopAsync();
        return (outcomes, ids);
    }

    [Fact]
    public async Task Random_seed_is_chosen_and_reported_by_health()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0 });
        using var client = new SandboxClient(server.BaseUri);
        var health = await client.HealthAsync();
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal(server.Seed, health["seed"]!.GetValue<int>());
        Assert.Equal("127.0.0.1", server.BaseUri.Host);
        Assert.NotEqual(0, server.BaseUri.Port);
        await server.StopAsync();
    }

    [Fact]
    public async Task Global_latency_delays_graph_requests()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 1, LatencyMinMs = 1500, LatencyMaxMs = 1500 });
        using var client = new SandboxClient(server.BaseUri);
        var token = await client.TokenAsync();
        using var impatient = client.CreateHttpClient(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => client.SendAsync(HttpMethod.Get, MyPositions, token, client: impatient));
        GraphAssert.Status(await client.GetAsync(MyPositions, token), 200);
        await server.StopAsync();
    }

    [Fact]
    public async Task Page_size_option_sets_the_page_length()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 2, PageSize = 2 });
        using var client = new SandboxClient(server.BaseUri);
        var token = await client.TokenAsync();
        for (var i = 0; i < 3; i++)
        {
            await client.CreatePositionAsync("me", token, SandboxClient.PositionBody($"P{i}"));
        }

        var page = await client.GetAsync(MyPositions, token);
        Assert.Equal(2, page.Object["value"]!.AsArray().Count);
        Assert.NotNull(page.Object["@odata.nextLink"]);
        await server.StopAsync();
    }

    [Fact]
    public void Parser_reads_every_option()
    {
        var options = SandboxOptionsParser.Parse(["--port", "5123", "--seed", "-7", "--data", "state.json", "--latency-ms", "10-20", "--page-size", "5", "--throttle", "100/1.5", "--loose", "--shuffle-batch"]);
        Assert.Equal(5123, options.Port);
        Assert.Equal(-7, options.Seed);
        Assert.Equal("state.json", options.DataFile);
        Assert.Equal(10, options.LatencyMinMs);
        Assert.Equal(20, options.LatencyMaxMs);
        Assert.Equal(5, options.PageSize);
        Assert.True(options.Loose);
        Assert.True(options.ShuffleBatch);
        Assert.Equal(100, options.ThrottleLimit);
        Assert.Equal(1.5, options.ThrottleSeconds);
        Assert.False(options.Help);
        Assert.True(SandboxOptionsParser.Parse(["--help"]).Help);
        Assert.Equal(SandboxDurability.Os, options.Durability);
        var store = SandboxOptionsParser.Parse(["--data", "t.json", "--durability", "FSYNC", "--reseed"]);
        Assert.Equal((SandboxDurability.Fsync, true, null), (store.Durability, store.Reseed, store.ExportFile));
        Assert.Equal("-", SandboxOptionsParser.Parse(["--export=-", "--data=t.json"]).ExportFile);
        Assert.Equal((20, 1.0), (SandboxOptionsParser.Parse(["--throttle=20/1"]).ThrottleLimit!.Value, SandboxOptionsParser.Parse(["--throttle=20/1"]).ThrottleSeconds));
    }

    [Fact]
    public void Help_text_names_every_option()
    {
        foreach (var option in new[] { "--port", "--seed", "--data", "--reseed", "--export", "--durability os|fsync", "tenant.db-wal", "--latency-ms", "--throttle", "--page-size", "--loose", "--shuffle-batch", "--verbose", "--help", "--https-port", "--token-lifetime", "stats", "identity/approve" })
        {
            Assert.Contains(option, SandboxHelp.Text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Parser_defaults()
    {
        var options = SandboxOptionsParser.Parse([]);
        Assert.Equal(0, options.Port);
        Assert.Null(options.Seed);
        Assert.Null(options.DataFile);
        Assert.Equal(0, options.LatencyMinMs);
        Assert.Equal(0, options.LatencyMaxMs);
        Assert.Equal(100, options.PageSize);
        Assert.False(options.Loose);
        Assert.False(options.ShuffleBatch);
        Assert.Null(options.ThrottleLimit);
    }

    [Theory]
    [InlineData("--port", "abc")]
    [InlineData("--port", "70000")]
    [InlineData("--port")]
    [InlineData("--seed", "x")]
    [InlineData("--latency-ms", "20-10")]
    [InlineData("--latency-ms", "a-b")]
    [InlineData("--page-size", "0")]
    [InlineData("--bogus")]
    [InlineData("--data")]
    [InlineData("--throttle")]
    [InlineData("--throttle", "100")]
    [InlineData("--throttle", "0/1")]
    [InlineData("--throttle", "5/0")]
    [InlineData("--throttle", "5/x")]
    [InlineData("--throttle", "5/1/2")]
    [InlineData("--help=yes")]
    [InlineData("--reseed")]
    [InlineData("--export", "out.json")]
    [InlineData("--durability", "fsync")]
    [InlineData("--data", "t.json", "--durability", "disk")]
    [InlineData("--data", "t.json", "--export")]
    [InlineData("--data", "t.json", "--reseed=yes")]
    [InlineData("--data", "t.json", "--reseed", "--export", "out.json")]
    public void Parser_rejects_bad_arguments(params string[] args)
    {
        Assert.ThrowsAny<ArgumentException>(() => SandboxOptionsParser.Parse(args));
    }
}
