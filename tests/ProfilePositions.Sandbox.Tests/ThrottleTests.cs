using System.Globalization;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>--throttle: one token bucket per caller, one token per request and per batch item, 429 with Retry-After when empty.</summary>
public sealed class ThrottleTests(ThrottledSandboxFixture fixture)
    : SandboxTestBase<ThrottledSandboxFixture>(fixture), IClassFixture<ThrottledSandboxFixture>
{
    private const string MyPositions = "beta/me/profile/positions";

    [Fact]
    public async Task An_empty_bucket_answers_429_with_whole_seconds_until_the_next_token()
    {
        var token = await Sandbox.TokenAsync();
        for (var i = 0; i < ThrottledSandboxFixture.Limit; i++)
        {
            GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
        }

        var throttled = await Sandbox.PostJsonAsync(MyPositions, token, SandboxClient.PositionBody("Throttled"));
        var error = GraphAssert.ODataError(throttled, 429, "TooManyRequests");
        Assert.Equal("429", error["innerError"]!["code"]!.GetValue<string>());
        var retryAfter = int.Parse(throttled.RawHeader("Retry-After")!, NumberStyles.None, CultureInfo.InvariantCulture);

        // Five tokens a minute: one comes back every 12 s, and almost none of that has passed yet.
        var perToken = ThrottledSandboxFixture.Seconds / ThrottledSandboxFixture.Limit;
        Assert.InRange(retryAfter, perToken - 2, perToken);
        Assert.Equal(0, (await Sandbox.HealthAsync())["positions"]!.GetValue<int>());

        var journal = await Sandbox.JournalAsync();
        Assert.Contains("throttled", journal.Last()!["fault"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_caller_has_its_own_bucket()
    {
        var adele = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var megan = await Sandbox.TokenAsync(SandboxClient.MeganUpn);
        for (var i = 0; i < ThrottledSandboxFixture.Limit; i++)
        {
            GraphAssert.Status(await Sandbox.GetAsync(MyPositions, adele), 200);
        }

        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, adele), 429, "TooManyRequests");
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, megan), 200);
    }

    [Fact]
    public async Task Batch_items_take_a_token_each_and_the_envelope_none()
    {
        var token = await Sandbox.TokenAsync();
        var five = BatchTests.Envelope(Enumerable.Range(1, ThrottledSandboxFixture.Limit).Select(i => BatchTests.CreateItem(i.ToString(CultureInfo.InvariantCulture), $"P{i}")).ToArray());
        var first = await Sandbox.PostJsonAsync(BatchTests.BatchPath, token, five);
        GraphAssert.Status(first, 200);
        Assert.All(BatchTests.ById(first).Values, item => Assert.Equal(201, item["status"]!.GetValue<int>()));

        // The bucket is empty now: the next envelope is still answered 200, every item inside it 429.
        var second = await Sandbox.PostJsonAsync(BatchTests.BatchPath, token, BatchTests.Envelope(BatchTests.CreateItem("a", "A"), BatchTests.GetItem("b", "/me/profile/positions")));
        GraphAssert.Status(second, 200);
        foreach (var item in BatchTests.ById(second).Values)
        {
            var error = GraphAssert.ItemError(item, 429, "TooManyRequests");
            Assert.Equal("429", error["innerError"]!["code"]!.GetValue<string>());
            Assert.True(int.TryParse(BatchTests.HeaderValue(item, "Retry-After"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds >= 1, item.ToJsonString());
        }

        Assert.Equal(ThrottledSandboxFixture.Limit, (await Sandbox.HealthAsync())["positions"]!.GetValue<int>());
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, token), 429, "TooManyRequests");
    }

    [Fact]
    public async Task A_batch_larger_than_the_bucket_is_partly_throttled()
    {
        var token = await Sandbox.TokenAsync();
        var seven = BatchTests.Envelope(Enumerable.Range(1, 7).Select(i => BatchTests.CreateItem(i.ToString(CultureInfo.InvariantCulture), $"P{i}")).ToArray());
        var response = await Sandbox.PostJsonAsync(BatchTests.BatchPath, token, seven);
        GraphAssert.Status(response, 200);
        var statuses = BatchTests.ById(response).Values.Select(item => item["status"]!.GetValue<int>()).ToList();
        Assert.Equal(ThrottledSandboxFixture.Limit, statuses.Count(status => status == 201));
        Assert.Equal(2, statuses.Count(status => status == 429));
    }

    [Fact]
    public async Task Stats_and_health_count_throttled_answers_and_reset_refills()
    {
        var token = await Sandbox.TokenAsync();
        for (var i = 0; i < ThrottledSandboxFixture.Limit + 3; i++)
        {
            await Sandbox.GetAsync(MyPositions, token);
        }

        var stats = await StatsAsync();
        Assert.Equal(3, stats["throttled"]!.GetValue<int>());
        Assert.Equal(ThrottledSandboxFixture.Limit, stats["throttle"]!["limit"]!.GetValue<int>());
        Assert.Equal(ThrottledSandboxFixture.Seconds, stats["throttle"]!["seconds"]!.GetValue<double>());
        Assert.Equal(0, stats["violations"]!.GetValue<int>());
        Assert.False(stats["penalty"]!.GetValue<bool>());
        Assert.Equal(3, (await Sandbox.HealthAsync())["throttled"]!.GetValue<int>());

        await Sandbox.ResetAsync();
        Assert.Equal(0, (await StatsAsync())["throttled"]!.GetValue<int>());
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
    }

    [Fact]
    public async Task Penalty_mode_counts_a_return_before_the_throttle_retry_after_as_a_violation()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.SetPenaltyAsync(true);
        for (var i = 0; i < ThrottledSandboxFixture.Limit; i++)
        {
            GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
        }

        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, token), 429, "TooManyRequests");
        Assert.Equal(0, (await StatsAsync())["violations"]!.GetValue<int>());

        // Back at once, inside the advertised window: a penalty 429 and a violation, for plain requests and envelopes.
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, token), 429, "TooManyRequests");
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(BatchTests.BatchPath, token, BatchTests.Envelope(BatchTests.GetItem("1", "/me/profile/positions"))), 429, "TooManyRequests");
        var stats = await StatsAsync();
        Assert.Equal(2, stats["violations"]!.GetValue<int>());
        Assert.Equal(1, stats["throttled"]!.GetValue<int>());
    }

    [Fact]
    public async Task Throttled_batch_items_open_the_penalty_window_once_the_envelope_is_answered()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.SetPenaltyAsync(true);
        var six = BatchTests.Envelope(Enumerable.Range(1, ThrottledSandboxFixture.Limit + 1).Select(i => BatchTests.GetItem(i.ToString(CultureInfo.InvariantCulture), "/me/profile/positions")).ToArray());
        GraphAssert.Status(await Sandbox.PostJsonAsync(BatchTests.BatchPath, token, six), 200);
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, token), 429, "TooManyRequests");
        Assert.Equal(1, (await StatsAsync())["violations"]!.GetValue<int>());
    }

    private async Task<JsonObject> StatsAsync()
    {
        var response = await Sandbox.GetAsync("_sandbox/stats");
        GraphAssert.Status(response, 200);
        return response.Object;
    }
}

/// <summary>A fast bucket: after the advertised Retry-After has passed, a token is there again.</summary>
public sealed class ThrottleRefillTests
{
    [Fact]
    public async Task Waiting_out_retry_after_finds_a_token()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 3, ThrottleLimit = 2, ThrottleSeconds = 1 });
        using var client = new SandboxClient(server.BaseUri);
        var token = await client.TokenAsync();
        await client.SetPenaltyAsync(true);
        GraphAssert.Status(await client.GetAsync("beta/me/profile/positions", token), 200);
        GraphAssert.Status(await client.GetAsync("beta/me/profile/positions", token), 200);
        var throttled = await client.GetAsync("beta/me/profile/positions", token);
        GraphAssert.ODataError(throttled, 429, "TooManyRequests");
        Assert.Equal("1", throttled.RawHeader("Retry-After"));

        // Waiting longer than advertised can only find the bucket fuller, so this wait cannot make the test flaky.
        await Task.Delay(TimeSpan.FromSeconds(1.2));
        GraphAssert.Status(await client.GetAsync("beta/me/profile/positions", token), 200);
        GraphAssert.Status(await client.GetAsync("beta/me/profile/positions", token), 200);
        Assert.Equal(0, (await client.HealthAsync())["violations"]!.GetValue<int>());
        await server.StopAsync();
    }
}
