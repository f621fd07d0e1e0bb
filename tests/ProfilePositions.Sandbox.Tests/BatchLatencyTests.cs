using System.Diagnostics;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>
/// Each $batch item draws its own latency; items without dependsOn run side by side, so an envelope lasts as long as
/// its slowest dependsOn chain. Timing is checked with lower bounds (delays cannot end early) and ratios, never
/// with a tight upper bound.
/// </summary>
public sealed class BatchLatencyTests
{
    private const int LatencyMs = 250;

    [Fact]
    public async Task Independent_items_overlap_and_a_depends_on_chain_adds_up()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 8, LatencyMinMs = LatencyMs, LatencyMaxMs = LatencyMs });
        using var client = new SandboxClient(server.BaseUri);
        var token = await client.TokenAsync();
        await client.PostJsonAsync(BatchTests.BatchPath, token, BatchTests.Envelope(BatchTests.GetItem("warm", "/me/profile/positions")));

        var parallel = BatchTests.Envelope(Enumerable.Range(1, 4).Select(i => BatchTests.CreateItem($"p{i}", $"Parallel {i}")).ToArray());
        var chain = BatchTests.Envelope(
            BatchTests.CreateItem("c1", "Chain 1"),
            BatchTests.AddDependsOn(BatchTests.CreateItem("c2", "Chain 2"), "c1"),
            BatchTests.AddDependsOn(BatchTests.CreateItem("c3", "Chain 3"), "c2"),
            BatchTests.AddDependsOn(BatchTests.CreateItem("c4", "Chain 4"), "c3"));

        var (parallelResponse, parallelTime) = await TimeAsync(() => client.PostJsonAsync(BatchTests.BatchPath, token, parallel));
        var (chainResponse, chainTime) = await TimeAsync(() => client.PostJsonAsync(BatchTests.BatchPath, token, chain));
        Assert.All(BatchTests.ById(parallelResponse).Values, item => Assert.Equal(201, item["status"]!.GetValue<int>()));
        Assert.All(BatchTests.ById(chainResponse).Values, item => Assert.Equal(201, item["status"]!.GetValue<int>()));

        Assert.True(parallelTime >= TimeSpan.FromMilliseconds(LatencyMs - 20), $"parallel envelope took {parallelTime.TotalMilliseconds} ms");
        Assert.True(chainTime >= TimeSpan.FromMilliseconds((4 * LatencyMs) - 20), $"chained envelope took {chainTime.TotalMilliseconds} ms");

        // Four overlapping items cost about one latency, four chained ones four: far apart whatever the machine's speed.
        Assert.True(parallelTime * 2 < chainTime, $"parallel {parallelTime.TotalMilliseconds} ms vs chain {chainTime.TotalMilliseconds} ms");

        // A plain request still takes its own latency.
        var (_, plainTime) = await TimeAsync(() => client.GetAsync("beta/me/profile/positions", token));
        Assert.True(plainTime >= TimeSpan.FromMilliseconds(LatencyMs - 20), $"plain request took {plainTime.TotalMilliseconds} ms");
        await server.StopAsync();
    }

    [Fact]
    public async Task A_rule_latency_on_one_item_sets_the_envelope_time_and_leaves_the_others_alone()
    {
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 9 });
        using var client = new SandboxClient(server.BaseUri);
        var token = await client.TokenAsync();
        await client.AddFaultsAsync("""{"target":"batchItem","method":"POST","nth":3,"latencyMs":1200}""");

        var envelope = BatchTests.Envelope(Enumerable.Range(1, 6).Select(i => BatchTests.CreateItem($"i{i}", $"Item {i}")).ToArray());
        var (response, elapsed) = await TimeAsync(() => client.PostJsonAsync(BatchTests.BatchPath, token, envelope));
        Assert.All(BatchTests.ById(response).Values, item => Assert.Equal(201, item["status"]!.GetValue<int>()));
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(1180), $"envelope took {elapsed.TotalMilliseconds} ms");

        // The slow item finished last: the others were applied before it, not after.
        var journal = await client.JournalAsync();
        var items = journal.Where(e => e!["batchItemId"] is JsonValue).Select(e => e!["batchItemId"]!.GetValue<string>()).ToList();
        Assert.Equal(["i1", "i2", "i4", "i5", "i6", "i3"], items);
        await server.StopAsync();
    }

    [Fact]
    public async Task A_latency_range_is_drawn_per_item_not_per_envelope()
    {
        // With 0-800 ms per item, twenty items drawn one after another would take about 8 s; side by side, under 1 s.
        await using var server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 10, LatencyMinMs = 0, LatencyMaxMs = 800 });
        using var client = new SandboxClient(server.BaseUri);
        var token = await client.TokenAsync();
        var envelope = BatchTests.Envelope(Enumerable.Range(1, 20).Select(i => BatchTests.GetItem($"g{i}", "/me/profile/positions")).ToArray());
        var (response, elapsed) = await TimeAsync(() => client.PostJsonAsync(BatchTests.BatchPath, token, envelope));
        Assert.Equal(20, BatchTests.ById(response).Count);
        Assert.True(elapsed < TimeSpan.FromSeconds(4), $"envelope took {elapsed.TotalMilliseconds} ms");

        // Items finish in the order of their own draws, so the journal is not simply the array order.
        var journal = await client.JournalAsync();
        var finished = journal.Where(e => e!["batchItemId"] is JsonValue).Select(e => e!["batchItemId"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Range(1, 20).Select(i => $"g{i}").Order(), finished.Order());
        Assert.NotEqual(Enumerable.Range(1, 20).Select(i => $"g{i}"), finished);
        await server.StopAsync();
    }

    private static async Task<(SandboxResponse Response, TimeSpan Elapsed)> TimeAsync(Func<Task<SandboxResponse>> send)
    {
        var watch = Stopwatch.StartNew();
        var response = await send();
        watch.Stop();
        GraphAssert.Status(response, 200);
        return (response, watch.Elapsed);
    }
}
