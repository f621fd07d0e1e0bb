using ProfilePositions.Engine.Runtime;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>
/// Order where it matters while everything else runs side by side: writes to one position go one after another in
/// input order, creates for one user under -SkipExisting too, and /me, the signed-in UPN and the token's object id
/// are one user whose positions are read once.
/// </summary>
[Collection("Session")]
public sealed class BulkOrderingTests : IDisposable
{
    private readonly BulkHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    /// <summary>Stamps when each HTTP request began and ended being served, on one counter, so overlaps show.</summary>
    private sealed class Stamps
    {
        private int _clock;

        public ConcurrentDictionary<int, (int Begin, int End)> BySeq { get; } = new();

        public async Task Hold(WireRequest request, IReadOnlyList<GraphCall> steps)
        {
            var begin = Interlocked.Increment(ref _clock);
            await Task.Delay(30);
            BySeq[request.Seq] = (begin, Interlocked.Increment(ref _clock));
        }
    }

    [Fact]
    public async Task WritesToOnePositionNeverOverlapAndGoInInputOrderWhileOtherPositionsDoNotWait()
    {
        var store = new PositionStore { Aliases = { ["/users/" + BulkHarness.Upn] = "/me" } };
        var p1 = (string)store.Store("/me", BulkHarness.Body("Start").ToJson())["id"]!;
        var p2 = (string)store.Store("/me", BulkHarness.Body("Other").ToJson())["id"]!;
        var stamps = new Stamps();
        using var graph = new BulkGraph(store.Handle) { Hold = stamps.Hold };
        var service = await _harness.OpenAsync(graph, batchSize: 4, throttleLimit: 4, linger: TimeSpan.FromMilliseconds(5));

        var first = service.UpdateAsync(null, p1, BulkHarness.Title("First"), CancellationToken.None);
        var second = service.UpdateAsync(BulkHarness.Upn, p1, BulkHarness.Title("Second"), CancellationToken.None);
        var other = service.UpdateAsync(null, p2, BulkHarness.Title("Elsewhere"), CancellationToken.None);
        var delete = service.DeleteAsync(null, p1, CancellationToken.None);
        service.Flush();
        await Task.WhenAll(first, second, other, delete);

        // The signed-in UPN and /me address one position p1, so all three writes to it are one sequence.
        var writes = graph.Calls.Where(c => c.Url.EndsWith("/" + p1, StringComparison.Ordinal)).ToList();
        Assert.Equal(new[] { "PATCH", "PATCH", "DELETE" }, writes.Select(w => w.Method));
        Assert.Equal(new[] { "First", "Second" }, writes.Take(2).Select(w => (string?)JsonNode.Parse(w.Body)!["detail"]!["jobTitle"]));
        for (var i = 1; i < writes.Count; i++)
        {
            Assert.NotEqual(writes[i - 1].Seq, writes[i].Seq);
            Assert.True(stamps.BySeq[writes[i - 1].Seq].End < stamps.BySeq[writes[i].Seq].Begin, "each write to the position went out after the one before it was answered");
        }

        // The other position did not wait for p1's sequence: it went with the first write.
        Assert.Equal(writes[0].Seq, Assert.Single(graph.Calls, c => c.Url.EndsWith("/" + p2, StringComparison.Ordinal)).Seq);
        Assert.Equal("Second", (await second).Detail!.JobTitle);
        Assert.DoesNotContain(store.Of("/me"), p => (string?)p["id"] == p1);
    }

    [Fact]
    public async Task AnItemsMarkSaysWhetherAWriteOfItLeftTheProcess()
    {
        var store = new PositionStore();
        var existing = (string)store.Store("/me", BulkHarness.Body("Start").ToJson())["id"]!;
        using var graph = new BulkGraph(store.Handle);
        var service = await _harness.OpenAsync(graph, batchSize: 4, throttleLimit: 4, linger: TimeSpan.FromMilliseconds(5));
        var updateMark = new ItemMark();
        var readMark = new ItemMark();
        var idleMark = new ItemMark();

        Task update;
        Task read;
        using (updateMark.Enter())
        {
            update = service.UpdateAsync(null, existing, BulkHarness.Title("Marked"), CancellationToken.None);
        }

        using (readMark.Enter())
        {
            read = service.GetAsync(null, existing, null, CancellationToken.None);
        }

        service.Flush();
        await Task.WhenAll(update, read);

        // A stopped run counts the update as possibly applied, the read and an item never started as not sent.
        Assert.True(updateMark.WriteSent);
        Assert.False(readMark.WriteSent);
        Assert.False(idleMark.WriteSent);
    }

    [Fact]
    public async Task AFailedWriteDoesNotStopTheNextWriteToThatPosition()
    {
        var store = new PositionStore();
        using var graph = new BulkGraph(store.Handle);
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 2, linger: TimeSpan.FromMilliseconds(5));

        var failed = service.UpdateAsync(null, "missing", BulkHarness.Title("A"), CancellationToken.None);
        var next = service.DeleteAsync(null, "missing", CancellationToken.None);
        service.Flush();

        Assert.Equal(404, (await Assert.ThrowsAsync<GraphServiceException>(() => failed)).StatusCode);
        Assert.Equal(404, (await Assert.ThrowsAsync<GraphServiceException>(() => next)).StatusCode);
        Assert.Equal(new[] { "PATCH", "DELETE" }, graph.Calls.Select(c => c.Method));
        Assert.True(graph.Calls[0].Seq < graph.Calls[1].Seq);
    }

    [Fact]
    public async Task TwoIdenticalCreateOrSkipItemsForOneUserCreateOnce()
    {
        var store = new PositionStore();
        var stamps = new Stamps();
        using var graph = new BulkGraph(store.Handle) { Hold = stamps.Hold };
        var service = await _harness.OpenAsync(graph, batchSize: 5, throttleLimit: 4, linger: TimeSpan.FromMilliseconds(5));

        var one = service.CreateOrSkipAsync("bob@contoso.com", BulkHarness.Body("Engineer"), CancellationToken.None);
        var two = service.CreateOrSkipAsync("bob@contoso.com", BulkHarness.Body("Engineer"), CancellationToken.None);
        var different = service.CreateOrSkipAsync("bob@contoso.com", BulkHarness.Body("Manager"), CancellationToken.None);
        service.Flush();
        var results = await Task.WhenAll(one, two, different);

        Assert.Equal(new[] { false, true, false }, results.Select(r => r.Skipped));
        Assert.Equal(results[0].Position.Id, results[1].Position.Id);
        Assert.NotEqual(results[0].Position.Id, results[2].Position.Id);
        Assert.Equal(2, store.Count("/users/bob@contoso.com"));
        Assert.Equal(2, graph.Calls.Count(c => c.Method == "POST"));
        Assert.Single(graph.CallsTo("GET", "/users/bob@contoso.com/profile/positions"));
    }

    [Fact]
    public async Task MeTheSignedInUpnAndTheTokensObjectIdShareOnePositionListUnderSkipExisting()
    {
        var store = new PositionStore();
        using var graph = new BulkGraph(store.Handle);
        var service = await _harness.OpenAsync(graph, batchSize: 5, throttleLimit: 4, linger: TimeSpan.FromMilliseconds(5));

        var items = new[]
        {
            service.CreateOrSkipAsync(null, BulkHarness.Body(), CancellationToken.None),
            service.CreateOrSkipAsync(BulkHarness.Upn, BulkHarness.Body(), CancellationToken.None),
            service.CreateOrSkipAsync(BulkHarness.Upn.ToUpperInvariant(), BulkHarness.Body(), CancellationToken.None),
            service.CreateOrSkipAsync(BulkHarness.ObjectId, BulkHarness.Body(), CancellationToken.None),
            service.CreateOrSkipAsync("me", BulkHarness.Body(), CancellationToken.None),
            service.CreateOrSkipAsync("bob@contoso.com", BulkHarness.Body(), CancellationToken.None),
        };
        service.Flush();
        var results = await Task.WhenAll(items);

        Assert.Equal(new[] { false, true, true, true, true, false }, results.Select(r => r.Skipped));
        Assert.All(results.Take(5), r => Assert.Equal(results[0].Position.Id, r.Position.Id));
        Assert.Single(graph.CallsTo("GET", "/me/profile/positions"));
        Assert.DoesNotContain(graph.Calls, c => c.Url.Contains(BulkHarness.Upn, StringComparison.OrdinalIgnoreCase) || c.Url.Contains(BulkHarness.ObjectId, StringComparison.Ordinal));
        Assert.Equal(new[] { "/me/profile/positions", "/users/bob@contoso.com/profile/positions" }, graph.Calls.Where(c => c.Method == "POST").Select(c => c.Url).OrderBy(u => u));
        Assert.Equal(1, store.Count("/me"));
    }

    [Fact]
    public async Task ThePositionsOfTheSignedInUserAreReadOnceWhicheverNameComesFirst()
    {
        var store = new PositionStore();
        store.Store("/users/" + BulkHarness.Upn, BulkHarness.Body("Existing").ToJson());
        using var graph = new BulkGraph(store.Handle);
        var service = await _harness.OpenAsync(graph, batchSize: 1, throttleLimit: 1);

        var byUpn = await service.CreateOrSkipAsync(BulkHarness.Upn, BulkHarness.Body("Existing"), CancellationToken.None);
        var byMe = await service.CreateOrSkipAsync(null, BulkHarness.Body("Existing"), CancellationToken.None);
        var byId = await service.FindExistingAsync(BulkHarness.ObjectId, BulkHarness.Body("Existing"), CancellationToken.None);

        Assert.True(byUpn.Skipped);
        Assert.True(byMe.Skipped);
        Assert.Equal(byUpn.Position.Id, byMe.Position.Id);
        Assert.Equal(byUpn.Position.Id, byId!.Id);
        Assert.Equal(new[] { "GET /users/" + BulkHarness.Upn + "/profile/positions" }, graph.Calls.Select(c => c.Method + " " + c.Url));
    }

    [Fact]
    public async Task AnotherUsersIdAndUpnAreReadSeparately()
    {
        var store = new PositionStore();
        using var graph = new BulkGraph(store.Handle);
        var service = await _harness.OpenAsync(graph, batchSize: 1, throttleLimit: 1);

        await service.FindExistingAsync("bob@contoso.com", BulkHarness.Body(), CancellationToken.None);
        await service.FindExistingAsync("bob@contoso.com", BulkHarness.Body("Else"), CancellationToken.None);
        await service.FindExistingAsync("0b0b0b0b-0000-0000-0000-000000000000", BulkHarness.Body(), CancellationToken.None);

        Assert.Equal(new[] { "/users/bob@contoso.com/profile/positions", "/users/0b0b0b0b-0000-0000-0000-000000000000/profile/positions" }, graph.Calls.Select(c => c.Url));
    }

    [Fact]
    public async Task FindExistingWaitsForTheUsersCreatesAndSeesWhatTheyCreated()
    {
        var store = new PositionStore();
        var stamps = new Stamps();
        using var graph = new BulkGraph(store.Handle) { Hold = stamps.Hold };
        var service = await _harness.OpenAsync(graph, batchSize: 5, throttleLimit: 4, linger: TimeSpan.FromMilliseconds(5));

        var create = service.CreateOrSkipAsync(null, BulkHarness.Body("New"), CancellationToken.None);
        var find = service.FindExistingAsync(BulkHarness.Upn, BulkHarness.Body("New"), CancellationToken.None);
        var none = service.FindExistingAsync(BulkHarness.ObjectId, BulkHarness.Body("Nothing like it"), CancellationToken.None);
        service.Flush();

        var created = await create;
        Assert.False(created.Skipped);
        Assert.Equal(created.Position.Id, (await find)!.Id);
        Assert.Null(await none);
        Assert.Single(graph.CallsTo("GET", "/me/profile/positions"));
        Assert.Single(graph.Calls, c => c.Method == "POST");
    }

    [Fact]
    public async Task AnExistingMatchIsSkippedWithoutAPost()
    {
        var store = new PositionStore();
        var existing = store.Store("/me", BulkHarness.Body("Engineer").ToJson());
        using var graph = new BulkGraph(store.Handle);
        var service = await _harness.OpenAsync(graph, batchSize: 1, throttleLimit: 1);

        var result = await service.CreateOrSkipAsync("ME", BulkHarness.Body("Engineer"), CancellationToken.None);

        Assert.True(result.Skipped);
        Assert.Equal((string?)existing["id"], result.Position.Id);
        Assert.DoesNotContain(graph.Calls, c => c.Method == "POST");
        Assert.Contains(_harness.Events.Lines, l => l.Contains("already exists; skipped"));
    }
}
