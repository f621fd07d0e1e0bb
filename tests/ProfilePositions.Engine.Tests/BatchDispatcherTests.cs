using System.Collections;
using System.Text.Json;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>
/// The bulk sender over real HTTP to a loopback graph that answers $batch envelopes: what goes into each envelope,
/// how every item gets its own answer, and how throttling and failures of whole envelopes reach each item.
/// Waits are recorded on a virtual clock, never slept.
/// </summary>
[Collection("Session")]
public sealed class BatchDispatcherTests : IDisposable
{
    private readonly BulkHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static ItemAnswer PositionFor(GraphCall call) =>
        ItemAnswer.Json(200, JsonSerializer.Serialize(new { id = call.Url.Split('/').Last(), detail = new { jobTitle = "T-" + call.Url.Split('/').Last() } }));

    [Fact]
    public async Task ItemsGoOutInEnvelopesOfAtMostBatchSizeWithUniqueIdsAndRelativeUrls()
    {
        using var graph = new BulkGraph(PositionFor);
        var service = await _harness.OpenAsync(graph, batchSize: 5, throttleLimit: 1);

        var reads = Enumerable.Range(1, 12).Select(i => service.GetAsync(null, "p" + i, null, CancellationToken.None)).ToList();
        service.Flush();
        var positions = await Task.WhenAll(reads);

        Assert.Equal(Enumerable.Range(1, 12).Select(i => "p" + i), positions.Select(p => p.Id));
        Assert.All(graph.Requests, r => Assert.Equal(("POST", "/beta/$batch"), (r.Method, r.RawUrl)));
        var envelopes = graph.EnvelopeSteps;
        Assert.Equal(new[] { 5, 5, 2 }, envelopes.Select(e => e.Count));
        Assert.All(envelopes, steps => Assert.Equal(steps.Count, steps.Select(s => s.StepId).Distinct().Count()));
        Assert.Equal(Enumerable.Range(1, 12).Select(i => "/me/profile/positions/p" + i), envelopes.SelectMany(e => e).Select(s => s.Url));
        Assert.All(envelopes.SelectMany(e => e), step => Assert.Equal("GET", step.Method));
        Assert.Equal(3, _harness.Counters.Envelopes);
        Assert.Equal(3, _harness.Counters.Requests);
    }

    [Fact]
    public async Task OnlyTheEnvelopeCarriesTheTokenAndTheStepsCarryTheirOwnHeadersAndBodies()
    {
        var store = new PositionStore();
        var seeded = store.Store("/me", BulkHarness.Body("Old").ToJson());
        using var graph = new BulkGraph(store.Handle);
        var service = await _harness.OpenAsync(graph, batchSize: 3, throttleLimit: 1);

        var update = service.UpdateAsync(null, (string)seeded["id"]!, BulkHarness.Title("New"), CancellationToken.None);
        var create = service.CreateAsync("bob@contoso.com", BulkHarness.Body("Fresh"), CancellationToken.None);
        var list = service.ListAsync(null, new PositionQuery { Top = 5 }, CancellationToken.None);
        await Task.WhenAll(update, create, list);

        var envelope = Assert.Single(graph.Requests);
        Assert.Equal("Bearer " + _harness.Token, envelope.Headers["Authorization"]);
        Assert.StartsWith("application/json", envelope.Headers["Content-Type"]);
        Assert.DoesNotContain(_harness.Token.Split('.')[2], envelope.Body);
        Assert.DoesNotContain(_harness.Token.Split('.')[1], envelope.Body);
        Assert.DoesNotContain("Authorization", envelope.Body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Bearer", envelope.Body, StringComparison.OrdinalIgnoreCase);

        var steps = Assert.Single(graph.EnvelopeSteps);
        Assert.Equal(new[] { "PATCH", "POST", "GET" }, steps.Select(s => s.Method));
        Assert.Equal(new[] { "/me/profile/positions/" + seeded["id"], "/users/bob@contoso.com/profile/positions", "/me/profile/positions?$top=5" }, steps.Select(s => s.Url));
        Assert.All(steps, s => Assert.StartsWith("/", s.Url));
        Assert.All(steps, s => Assert.DoesNotContain("/beta/", s.Url));
        Assert.All(steps, s => Assert.DoesNotContain("127.0.0.1", s.Url));
        Json.Equal("""{"detail":{"jobTitle":"New"}}""", steps[0].Body);
        Json.Equal(BulkHarness.Body("Fresh").ToJson(), steps[1].Body);
        Assert.StartsWith("application/json", steps[0].Header("Content-Type"));
        Assert.Equal(3, steps.Select(s => s.Header("client-request-id")).Distinct().Count());
        Assert.NotEqual(envelope.Headers["client-request-id"], steps[0].Header("client-request-id"));
        Assert.Equal("New", (await update).Detail!.JobTitle);
        Assert.Equal("Fresh", (await create).Detail!.JobTitle);
        Assert.Single((await list).Items);
    }

    [Theory]
    [InlineData("AdeleVance_adatum.com#EXT#@contoso.com", "p/1")]
    [InlineData("bob@contoso.com", "a?b&c")]
    public async Task AStepAddressesTheSameUserAndPositionAsThePlainRequestWould(string userId, string positionId)
    {
        using var plainGraph = new BulkGraph(_ => ItemAnswer.Json(200, """{"id":"x"}"""));
        var plain = await _harness.OpenAsync(plainGraph, batchSize: 1, throttleLimit: 1);
        await plain.UpdateAsync(userId, positionId, BulkHarness.Title("T"), CancellationToken.None);
        var expected = Assert.Single(plainGraph.Calls).Url;

        using var batchGraph = new BulkGraph(_ => ItemAnswer.Json(200, """{"id":"x"}"""));
        var bulk = await _harness.OpenAsync(batchGraph, batchSize: 2, throttleLimit: 1);
        var first = bulk.UpdateAsync(userId, positionId, BulkHarness.Title("T"), CancellationToken.None);
        var second = bulk.GetAsync(null, "other", null, CancellationToken.None);
        await Task.WhenAll(first, second);

        // Inside an envelope the step's URL must stay one escaped segment per value, exactly as GraphPaths built it:
        // a '#' would cut the rest of the path off as a fragment, a '/' would address another resource.
        Assert.Equal(expected, batchGraph.EnvelopeSteps.Single()[0].Url);
    }

    [Fact]
    public async Task AStepKeepsTheFilterAsThePlainRequestWould()
    {
        var query = new PositionQuery { Filter = "detail/company/displayName eq 'R&D #1'" };
        using var plainGraph = new BulkGraph(_ => ItemAnswer.Json(200, """{"value":[]}"""));
        var plain = await _harness.OpenAsync(plainGraph, batchSize: 1, throttleLimit: 1);
        await plain.ListAsync(null, query, CancellationToken.None);
        var expected = Assert.Single(plainGraph.Calls).Url;

        using var batchGraph = new BulkGraph(_ => ItemAnswer.Json(200, """{"value":[]}"""));
        var bulk = await _harness.OpenAsync(batchGraph, batchSize: 2, throttleLimit: 1);
        await Task.WhenAll(bulk.ListAsync(null, query, CancellationToken.None), bulk.ListAsync("bob@contoso.com", new PositionQuery(), CancellationToken.None));

        // An escaped '&' decoded inside the envelope would end the $filter early and start another query option.
        Assert.Equal("/me/profile/positions?$filter=detail/company/displayName%20eq%20'R%26D%20%231'", expected);
        Assert.Equal(expected, batchGraph.EnvelopeSteps.Single()[0].Url);
    }

    [Fact]
    public async Task StepUrlsAreRelativeToTheVersionRootWhenTheGraphEndpointHasAPath()
    {
        using var graph = new BulkGraph(PositionFor, pathPrefix: "/graph");
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 1);

        var reads = new[] { service.GetAsync(null, "p1", null, CancellationToken.None), service.GetAsync(null, "p2", null, CancellationToken.None) };
        try
        {
            await Task.WhenAll(reads);
        }
        catch (ProfileGraphException)
        {
        }

        Assert.Equal("/graph/beta/$batch", Assert.Single(graph.Requests).RawUrl);
        Assert.Equal(new[] { "/me/profile/positions/p1", "/me/profile/positions/p2" }, graph.EnvelopeSteps.Single().Select(s => s.Url));
    }

    [Fact]
    public async Task AGroupOfOneGoesOutAsThePlainRequestItIs()
    {
        using var graph = new BulkGraph(PositionFor);
        var service = await _harness.OpenAsync(graph, batchSize: 10, throttleLimit: 2);

        var read = service.GetAsync("bob@contoso.com", "p1", null, CancellationToken.None);
        service.Flush();
        var position = await read;

        var request = Assert.Single(graph.Requests);
        Assert.Equal(("GET", "/beta/users/bob@contoso.com/profile/positions/p1"), (request.Method, request.RawUrl));
        Assert.Equal("Bearer " + _harness.Token, request.Headers["Authorization"]);
        Assert.Equal("p1", position.Id);
        Assert.Equal(0, _harness.Counters.Envelopes);
        Assert.Equal(1, _harness.Counters.Requests);
    }

    [Fact]
    public async Task ALingeringPartialEnvelopeWaitsForFlush()
    {
        using var graph = new BulkGraph(PositionFor);
        var service = await _harness.OpenAsync(graph, batchSize: 5, throttleLimit: 1, linger: TimeSpan.FromSeconds(60));

        var reads = new[] { service.GetAsync(null, "p1", null, CancellationToken.None), service.GetAsync(null, "p2", null, CancellationToken.None) };
        await Task.Delay(150);
        Assert.Empty(graph.Requests);

        service.Flush();
        await Task.WhenAll(reads);

        Assert.Equal(2, Assert.Single(graph.EnvelopeSteps).Count);
    }

    [Fact]
    public async Task ItemsAnsweredOutOfOrderAreMatchedById()
    {
        using var graph = new BulkGraph(PositionFor) { ReverseAnswers = true };
        var service = await _harness.OpenAsync(graph, batchSize: 4, throttleLimit: 1);

        var reads = Enumerable.Range(1, 4).Select(i => service.GetAsync(null, "p" + i, null, CancellationToken.None)).ToList();
        var positions = await Task.WhenAll(reads);

        Assert.Equal(new[] { "p1", "p2", "p3", "p4" }, positions.Select(p => p.Id));
        Assert.Equal(new[] { "T-p1", "T-p2", "T-p3", "T-p4" }, positions.Select(p => p.Detail!.JobTitle));
        using var answer = JsonDocument.Parse(graph.Answers[graph.Requests.Single().Seq].Body!);
        Assert.Equal(new[] { "4", "3", "2", "1" }, answer.RootElement.GetProperty("responses").EnumerateArray().Select(r => r.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task AThrottledItemInA200EnvelopeIsRetriedAfterItsOwnRetryAfterInALaterEnvelopeAndTheOthersAreNotResent()
    {
        var throttled = new Dictionary<string, string> { ["/me/profile/positions/a"] = "0.2", ["/me/profile/positions/c"] = "0.1" };
        var once = new HashSet<string>();
        using var graph = new BulkGraph(call =>
        {
            lock (once)
            {
                if (throttled.TryGetValue(call.Url, out var retryAfter) && once.Add(call.Url))
                {
                    return ItemAnswer.Throttled(retryAfter);
                }
            }

            return PositionFor(call);
        });

        // Holds the second envelope until both throttled items are queued again, so they travel together.
        graph.Hold = async (request, steps) =>
        {
            if (steps.Any(s => s.Url.EndsWith("/d", StringComparison.Ordinal)))
            {
                await BulkHarness.Eventually(() => _harness.Counters.Retries == 2 && _harness.Counters.WaitingToRetry == 0, "both throttled items are queued again");
                await Task.Delay(50);
            }
        };
        var service = await _harness.OpenAsync(graph, batchSize: 3, throttleLimit: 1);

        var reads = new[] { "a", "b", "c", "d", "e", "f" }.Select(id => service.GetAsync(null, id, null, CancellationToken.None)).ToList();
        service.Flush();
        var positions = await Task.WhenAll(reads);

        Assert.Equal(new[] { "a", "b", "c", "d", "e", "f" }, positions.Select(p => p.Id));
        var envelopes = graph.EnvelopeSteps;
        Assert.Equal(3, envelopes.Count);
        Assert.Equal(new[] { "/me/profile/positions/a", "/me/profile/positions/c" }, envelopes[2].Select(s => s.Url).OrderBy(u => u));
        Assert.All(envelopes[2], s => Assert.Equal("1", s.Header("Retry-Attempt")));
        Assert.All(envelopes[0].Concat(envelopes[1]), s => Assert.Null(s.Header("Retry-Attempt")));
        foreach (var id in new[] { "b", "d", "e", "f" })
        {
            Assert.Single(graph.CallsTo("GET", "/me/profile/positions/" + id));
        }

        Assert.Equal(
            new[] { RetryPolicy.WaitFor(TimeSpan.FromSeconds(0.1))!.Value, RetryPolicy.WaitFor(TimeSpan.FromSeconds(0.2))!.Value },
            _harness.WaitsSnapshot().OrderBy(w => w));
        // Every attempt of one operation carries its client-request-id, so Graph's logs tie them together.
        Assert.All(envelopes[2], retry => Assert.Equal(envelopes[0].Single(s => s.Url == retry.Url).Header("client-request-id"), retry.Header("client-request-id")));

        // After the 429s nothing else went out before the longest Retry-After (and its margin) had passed.
        var wire = graph.Requests;
        Assert.True(wire[1].At - wire[0].At >= RetryPolicy.WaitFor(TimeSpan.FromSeconds(0.2)), "the next envelope waited out the Retry-After");
        Assert.Equal(2, _harness.Counters.Throttled);
        Assert.Equal(2, _harness.Counters.Retries);
        Assert.Equal(3, _harness.Counters.Envelopes);
    }

    [Fact]
    public async Task AfterA429NothingMoreIsSentUntilItsRetryAfterAndTheMarginHavePassed()
    {
        var answered = new Dictionary<int, DateTimeOffset>();
        using var graph = new BulkGraph(call => call.Url.EndsWith("/a", StringComparison.Ordinal) ? ItemAnswer.Throttled("0.2") : PositionFor(call));
        graph.Hold = (request, _) =>
        {
            lock (answered)
            {
                answered[request.Seq] = _harness.Time.GetUtcNow();
            }

            return Task.CompletedTask;
        };

        // No retries: only the sender's own pause can hold the next envelope back (no retry wait moves the clock).
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 2, maxRetries: 0);
        var firstTwo = new[] { service.GetAsync(null, "a", null, CancellationToken.None), service.GetAsync(null, "b", null, CancellationToken.None) };
        Assert.Equal(429, (await Assert.ThrowsAsync<GraphServiceException>(() => firstTwo[0])).StatusCode);
        Assert.Equal("b", (await firstTwo[1]).Id);
        await BulkHarness.Eventually(() => _harness.Counters.InFlightLimit == 1, "the throttled envelope has been settled");

        var nextTwo = new[] { service.GetAsync(null, "c", null, CancellationToken.None), service.GetAsync(null, "d", null, CancellationToken.None) };
        await Task.WhenAll(nextTwo);

        var wire = graph.Requests;
        Assert.Equal(2, wire.Count);
        Assert.True(wire[1].At - answered[wire[0].Seq] >= RetryPolicy.WaitFor(TimeSpan.FromSeconds(0.2)), "the next envelope went out only after Retry-After plus the margin");
        Assert.Empty(_harness.WaitsSnapshot());
    }

    [Fact]
    public async Task AThrottledCreateInA200EnvelopeIsSentAgainWithoutARead()
    {
        var store = new PositionStore();
        var throttled = 0;
        store.Before = call => call.Method == "POST" && JsonDocument.Parse(call.Body).RootElement.GetProperty("detail").GetProperty("jobTitle").GetString() == "Two" && Interlocked.Exchange(ref throttled, 1) == 0
            ? ItemAnswer.Throttled("0.1")
            : null;
        using var graph = new BulkGraph(store.Handle);
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 1);

        var creates = new[] { service.CreateAsync(null, BulkHarness.Body("One"), CancellationToken.None), service.CreateAsync(null, BulkHarness.Body("Two"), CancellationToken.None) };
        service.Flush();
        var created = await Task.WhenAll(creates);

        Assert.Equal(new[] { "One", "Two" }, created.Select(c => c.Detail!.JobTitle));
        Assert.Equal(2, store.Count("/me"));
        Assert.Equal(3, graph.Calls.Count(c => c.Method == "POST"));
        Assert.DoesNotContain(graph.Calls, c => c.Method == "GET");
        Assert.Equal(RetryPolicy.WaitFor(TimeSpan.FromSeconds(0.1)), Assert.Single(_harness.WaitsSnapshot()));
    }

    [Fact]
    public async Task ItemsAnsweredWithNoContentInsideAnEnvelopeSucceed()
    {
        var store = new PositionStore();
        var ids = Enumerable.Range(0, 3).Select(i => (string)store.Store("/me", BulkHarness.Body("P" + i).ToJson())["id"]!).ToList();
        using var graph = new BulkGraph(call => call.Method == "PATCH" ? new ItemAnswer(204) : store.Handle(call));
        var service = await _harness.OpenAsync(graph, batchSize: 3, throttleLimit: 1);

        var deletes = new[] { service.DeleteAsync(null, ids[0], CancellationToken.None), service.DeleteAsync(null, ids[1], CancellationToken.None) };
        var update = service.UpdateAsync(null, ids[2], BulkHarness.Title("Kept"), CancellationToken.None);
        service.Flush();
        await Task.WhenAll(deletes);
        var updated = await update;

        Assert.Equal(new[] { "DELETE", "DELETE", "PATCH" }, graph.EnvelopeSteps[0].Select(s => s.Method));
        Assert.Equal(1, store.Count("/me"));
        // A PATCH answered 204 is read back, so the caller still gets the position.
        Assert.Equal(ids[2], updated.Id);
        Assert.Single(graph.CallsTo("GET", "/me/profile/positions/" + ids[2]));
    }

    [Fact]
    public async Task An503EnvelopeRetriesReadsAndWritesAndReconcilesTheCreateByAReadInsteadOfPostingAgain()
    {
        var store = new PositionStore();
        var seeded = store.Store("/me", BulkHarness.Body("Old").ToJson());
        var seededId = (string)seeded["id"]!;
        using var graph = new BulkGraph(store.Handle);
        graph.OnEnvelope = FirstEnvelopeOnly((request, steps) =>
        {

            // The create is committed, then the envelope fails: Graph may have run any of its items.
            foreach (var post in steps.Where(s => s.Method == "POST"))
            {
                store.Store("/me", post.Body);
            }

            return new WireAnswer(503, """{"error":{"code":"serviceNotAvailable","message":"Try later."}}""", new Dictionary<string, string> { ["Retry-After"] = "0" });
        });
        var service = await _harness.OpenAsync(graph, batchSize: 3, throttleLimit: 1);

        var read = service.GetAsync(null, seededId, null, CancellationToken.None);
        var update = service.UpdateAsync(null, seededId, BulkHarness.Title("Renamed"), CancellationToken.None);
        var create = service.CreateAsync(null, BulkHarness.Body("Created"), CancellationToken.None);
        service.Flush();
        await Task.WhenAll(read, update, create);

        Assert.Equal(3, graph.EnvelopeSteps[0].Count);
        Assert.Single(graph.Calls, c => c.Method == "POST");
        Assert.Equal(2, graph.CallsTo("GET", "/me/profile/positions/" + seededId).Count);
        Assert.Equal(2, graph.CallsTo("PATCH", "/me/profile/positions/" + seededId).Count);
        Assert.Single(graph.CallsTo("GET", "/me/profile/positions"));
        Assert.Equal(2, store.Count("/me"));
        Assert.Equal((string?)store.Of("/me")[1]["id"], (await create).Id);
        Assert.Equal("Renamed", (await update).Detail!.JobTitle);
    }

    [Fact]
    public async Task An503EnvelopeWhoseCreateWasNotCommittedSendsTheCreateAgainAfterTheRead()
    {
        var store = new PositionStore();
        using var graph = new BulkGraph(store.Handle);
        graph.OnEnvelope = FirstEnvelopeOnly((_, _) =>
        {
            return new WireAnswer(503, """{"error":{"code":"serviceNotAvailable","message":"Try later."}}""", new Dictionary<string, string> { ["Retry-After"] = "0" });
        });
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 1);

        var creates = new[] { service.CreateAsync(null, BulkHarness.Body("One"), CancellationToken.None), service.CreateAsync(null, BulkHarness.Body("Two"), CancellationToken.None) };
        service.Flush();
        var created = await Task.WhenAll(creates);

        Assert.Equal(2, store.Count("/me"));
        Assert.Equal(new[] { "One", "Two" }, created.Select(c => c.Detail!.JobTitle));
        var posts = graph.Calls.Where(c => c.Method == "POST").ToList();
        Assert.Equal(4, posts.Count);
        var lists = graph.CallsTo("GET", "/me/profile/positions");
        Assert.Equal(2, lists.Count);
        Assert.All(lists, list => Assert.True(list.Seq > posts[0].Seq && list.Seq < posts[3].Seq, "each create was read for before it was sent again"));
    }

    [Fact]
    public async Task A429EnvelopeSendsEveryCreateAgainWithoutARead()
    {
        var store = new PositionStore();
        using var graph = new BulkGraph(store.Handle);
        graph.OnEnvelope = FirstEnvelopeOnly((_, _) =>
        {
            return new WireAnswer(429, """{"error":{"code":"TooManyRequests","message":"Slow down."}}""", new Dictionary<string, string> { ["Retry-After"] = "0.3" });
        });
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 2);

        var creates = new[] { service.CreateAsync(null, BulkHarness.Body("One"), CancellationToken.None), service.CreateAsync(null, BulkHarness.Body("Two"), CancellationToken.None) };
        service.Flush();
        var created = await Task.WhenAll(creates);

        Assert.Equal(new[] { "One", "Two" }, created.Select(c => c.Detail!.JobTitle));
        Assert.Equal(2, store.Count("/me"));
        Assert.DoesNotContain(graph.Calls, c => c.Method == "GET");
        Assert.Equal(4, graph.Calls.Count(c => c.Method == "POST"));
        Assert.All(_harness.WaitsSnapshot(), w => Assert.Equal(RetryPolicy.WaitFor(TimeSpan.FromSeconds(0.3)), w));
        Assert.Equal(2, _harness.WaitsSnapshot().Count);
        Assert.Equal(2, _harness.Counters.Throttled);
        await BulkHarness.Eventually(() => _harness.Counters.InFlightLimit == 1, "a throttled envelope halves the in-flight limit");
    }

    [Fact]
    public async Task AnEnvelopeWhoseConnectionIsLostRetriesTheReadAndReconcilesTheCreate()
    {
        var store = new PositionStore();
        using var graph = new BulkGraph(store.Handle);
        graph.OnEnvelope = FirstEnvelopeOnly((_, _) =>
        {
            return WireAnswer.Dropped();
        });
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 1);

        var read = service.ListAsync("bob@contoso.com", new PositionQuery(), CancellationToken.None);
        var create = service.CreateAsync(null, BulkHarness.Body("Made"), CancellationToken.None);
        service.Flush();
        await Task.WhenAll(read, create);

        Assert.Equal("Made", (await create).Detail!.JobTitle);
        Assert.Equal(1, store.Count("/me"));
        Assert.Equal(2, graph.CallsTo("GET", "/users/bob@contoso.com/profile/positions").Count);
        var posts = graph.Calls.Where(c => c.Method == "POST").ToList();
        Assert.Equal(2, posts.Count);
        var reconcile = Assert.Single(graph.CallsTo("GET", "/me/profile/positions"));
        Assert.InRange(reconcile.Seq, posts[0].Seq + 1, posts[1].Seq);
        // No Retry-After on a lost connection: the back-off's first step, for each item. (A pooled connection the
        // server dropped may fail once more when reused, which adds a later, longer wait; the outcome is the same.)
        var waits = _harness.WaitsSnapshot();
        Assert.True(waits.Count >= 2, "each item waited before it was sent again");
        Assert.Equal(new[] { TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3) }, waits.Take(2));
    }

    [Fact]
    public async Task AnItemMissingFromTheAnswerIsTreatedAsUnknownAndSentAgain()
    {
        using var graph = new BulkGraph(PositionFor);
        graph.OnEnvelope = FirstEnvelopeOnly((_, steps) =>
        {
            return new WireAnswer(200, BatchJson.Responses(new[] { (steps[0].StepId!, PositionFor(steps[0])) }));
        });
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 1);

        var reads = new[] { service.GetAsync(null, "p1", null, CancellationToken.None), service.GetAsync(null, "p2", null, CancellationToken.None) };
        service.Flush();
        var positions = await Task.WhenAll(reads);

        Assert.Equal(new[] { "p1", "p2" }, positions.Select(p => p.Id));
        Assert.Single(graph.CallsTo("GET", "/me/profile/positions/p1"));
        Assert.Equal(2, graph.CallsTo("GET", "/me/profile/positions/p2").Count);
    }

    [Theory]
    [InlineData("{\"responses\": [ {\"id\": \"1\", \"sta")]
    [InlineData("<html><body>Proxy error</body></html>")]
    public async Task AnUnreadableEnvelopeAnswerLeavesEveryItemUnknownSoReadsAreSentAgainAndTheCreateIsReconciled(string unreadable)
    {
        var store = new PositionStore();
        using var graph = new BulkGraph(store.Handle);
        graph.OnEnvelope = FirstEnvelopeOnly((_, steps) =>
        {

            // Graph ran the items, but what came back cannot be read.
            foreach (var step in steps)
            {
                store.Handle(step);
            }

            return new WireAnswer(200, unreadable);
        });
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 1);

        var read = service.ListAsync("bob@contoso.com", new PositionQuery(), CancellationToken.None);
        var create = service.CreateAsync(null, BulkHarness.Body("Made"), CancellationToken.None);
        service.Flush();
        await Task.WhenAll(read, create);

        Assert.Equal(2, graph.CallsTo("GET", "/users/bob@contoso.com/profile/positions").Count);
        Assert.Single(graph.Calls, c => c.Method == "POST");
        Assert.Single(graph.CallsTo("GET", "/me/profile/positions"));
        Assert.Equal((string?)Assert.Single(store.Of("/me"))["id"], (await create).Id);
    }

    [Fact]
    public async Task AnEnvelopeRefusedWith400GivesEachItemThatError()
    {
        using var graph = new BulkGraph(PositionFor) { OnEnvelope = (_, _) => new WireAnswer(400, """{"error":{"code":"BadRequest","message":"Invalid batch payload."}}""") };
        var service = await _harness.OpenAsync(graph, batchSize: 2, throttleLimit: 1);

        var reads = new[] { service.GetAsync(null, "p1", null, CancellationToken.None), service.GetAsync(null, "p2", null, CancellationToken.None) };
        service.Flush();

        foreach (var read in reads)
        {
            var error = await Assert.ThrowsAsync<GraphServiceException>(() => read);
            Assert.Equal(400, error.StatusCode);
            Assert.Equal("BadRequest", error.Code);
        }

        Assert.Single(graph.Requests);
    }

    [Theory]
    [InlineData(1, 2)]
    [InlineData(3, 3)]
    public async Task NoMoreThanThrottleLimitRequestsAreEverInFlight(int batchSize, int throttleLimit)
    {
        var current = 0;
        var peak = 0;
        using var graph = new BulkGraph(PositionFor)
        {
            Hold = async (_, _) =>
            {
                var now = Interlocked.Increment(ref current);
                int seen;
                while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                {
                }

                await Task.Delay(25);
                Interlocked.Decrement(ref current);
            },
        };
        var service = await _harness.OpenAsync(graph, batchSize, throttleLimit, linger: TimeSpan.FromMilliseconds(5));

        var reads = Enumerable.Range(1, 24).Select(i => service.GetAsync(null, "p" + i, null, CancellationToken.None)).ToList();
        service.Flush();
        var positions = await Task.WhenAll(reads);

        Assert.Equal(24, positions.Select(p => p.Id).Distinct().Count());
        Assert.InRange(peak, 1, throttleLimit);
        Assert.True(peak > 1, "requests did go out side by side (otherwise this test proves nothing)");
        Assert.All(graph.EnvelopeSteps, steps => Assert.InRange(steps.Count, 2, batchSize));
        Assert.Equal(24, graph.Calls.Count);
    }

    [Fact]
    public async Task TheInFlightLimitHalvesAfterA429AndGrowsBackByOneAfterEightCleanEnvelopes()
    {
        var throttleNext = 0;
        var current = 0;
        var peak = 0;
        using var graph = new BulkGraph(call => Interlocked.Exchange(ref throttleNext, 0) == 1 ? ItemAnswer.Throttled("0") : PositionFor(call))
        {
            Hold = async (_, _) =>
            {
                var now = Interlocked.Increment(ref current);
                int seen;
                while (now > (seen = Volatile.Read(ref peak)) && Interlocked.CompareExchange(ref peak, now, seen) != seen)
                {
                }

                await Task.Delay(20);
                Interlocked.Decrement(ref current);
            },
        };
        var service = await _harness.OpenAsync(graph, batchSize: 1, throttleLimit: 4, maxRetries: 0);
        var counters = _harness.Counters;
        Assert.Equal(4, counters.InFlightLimit);

        async Task Throttle(int expectedLimit)
        {
            Volatile.Write(ref throttleNext, 1);
            var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.GetAsync(null, "t", null, CancellationToken.None));
            Assert.Equal(429, error.StatusCode);
            await BulkHarness.Eventually(() => counters.InFlightLimit == expectedLimit, "the in-flight limit is " + expectedLimit);
        }

        async Task Burst(int count)
        {
            Volatile.Write(ref peak, 0);
            var reads = Enumerable.Range(1, count).Select(i => service.GetAsync(null, "p" + i, null, CancellationToken.None)).ToList();
            service.Flush();
            await Task.WhenAll(reads);
        }

        await Throttle(2);
        await Throttle(1);
        await Throttle(1);

        // Seven clean requests at limit 1: never two at once; the eighth raises the limit to 2.
        await Burst(7);
        Assert.Equal(1, Volatile.Read(ref peak));
        Assert.Equal(1, counters.InFlightLimit);
        await Burst(1);
        await BulkHarness.Eventually(() => counters.InFlightLimit == 2, "the limit grew back to 2");

        // Seven at limit 2 never make three at once.
        await Burst(7);
        Assert.InRange(Volatile.Read(ref peak), 1, 2);
        await Burst(1);
        await BulkHarness.Eventually(() => counters.InFlightLimit == 3, "the limit grew back to 3");
        await Burst(8);
        await BulkHarness.Eventually(() => counters.InFlightLimit == 4, "the limit grew back to -ThrottleLimit");
        await Burst(16);
        Assert.Equal(4, counters.InFlightLimit);
        Assert.Equal(3, counters.Throttled);
    }

    [Fact]
    public async Task AThrottledPlainRequestIsSentAgainAfterItsRetryAfter()
    {
        var once = 0;
        using var graph = new BulkGraph(call => Interlocked.Exchange(ref once, 1) == 0 ? ItemAnswer.Throttled("1.5") : PositionFor(call));
        var service = await _harness.OpenAsync(graph, batchSize: 1, throttleLimit: 1);

        var position = await service.GetAsync(null, "p1", null, CancellationToken.None);

        Assert.Equal("p1", position.Id);
        Assert.Equal(RetryPolicy.WaitFor(TimeSpan.FromSeconds(1.5)), Assert.Single(_harness.WaitsSnapshot()));
        var wire = graph.Requests;
        Assert.Equal(2, wire.Count);
        Assert.True(wire[1].At - wire[0].At >= RetryPolicy.WaitFor(TimeSpan.FromSeconds(1.5)));
        Assert.Equal(1, _harness.Counters.InFlightLimit);
    }

    [Fact]
    public async Task DisposingTheSessionCancelsWhatIsStillQueuedAndRefusesMore()
    {
        using var graph = new BulkGraph(PositionFor);
        var service = await _harness.OpenAsync(graph, batchSize: 5, throttleLimit: 1, linger: TimeSpan.FromSeconds(60));

        var queued = service.GetAsync(null, "p1", null, CancellationToken.None);
        service.Dispose();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        await Assert.ThrowsAnyAsync<ObjectDisposedException>(() => service.GetAsync(null, "p2", null, CancellationToken.None));
        Assert.Empty(graph.Requests);
    }

    [Fact]
    public async Task ACancelledItemIsDroppedFromTheQueueAndNeverSent()
    {
        using var graph = new BulkGraph(PositionFor);
        var service = await _harness.OpenAsync(graph, batchSize: 5, throttleLimit: 1, linger: TimeSpan.FromSeconds(60));
        using var stop = new CancellationTokenSource();

        var cancelled = service.GetAsync(null, "gone", null, stop.Token);
        var kept = service.GetAsync(null, "kept", null, CancellationToken.None);
        stop.Cancel();
        service.Flush();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal("kept", (await kept).Id);
        Assert.Equal(new[] { "/me/profile/positions/kept" }, graph.Calls.Select(c => c.Url));
    }

    /// <summary>The first envelope gets the given answer; later ones are answered as usual.</summary>
    private static Func<WireRequest, IReadOnlyList<GraphCall>, WireAnswer?> FirstEnvelopeOnly(Func<WireRequest, IReadOnlyList<GraphCall>, WireAnswer?> first)
    {
        var answered = 0;
        return (request, steps) => Interlocked.Exchange(ref answered, 1) == 0 ? first(request, steps) : null;
    }
}
