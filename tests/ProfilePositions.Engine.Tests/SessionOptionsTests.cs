using ProfilePositions.Engine.Batching;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>OpenSession(SessionOptions): each option reaches the session's sender, seen from the wire.</summary>
[Collection("Session")]
public sealed class SessionOptionsTests : IDisposable
{
    private readonly BulkHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static ItemAnswer Position(GraphCall call) => ItemAnswer.Json(200, "{\"id\":\"" + call.Url.Split('/').Last() + "\"}");

    private async Task<IProfilePositionService> OpenAsync(BulkGraph graph, SessionOptions options)
    {
        graph.Clock = _harness.Time;
        return (await _harness.ConnectAsync(graph.BaseUri)).OpenSession(options);
    }

    [Fact]
    public async Task TheDefaultsSendPlainRequestsOneAtATime()
    {
        var options = new SessionOptions();
        Assert.Equal(1, options.BatchSize);
        Assert.Equal(1, options.ThrottleLimit);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.Linger);
        Assert.Equal(TimeSpan.FromSeconds(100), options.Timeout);
        Assert.Null(options.MaxRetries);

        using var graph = new BulkGraph(Position);
        var service = await OpenAsync(graph, options);
        var reads = Enumerable.Range(1, 3).Select(i => service.GetAsync(null, "p" + i, null, CancellationToken.None)).ToList();
        await Task.WhenAll(reads);

        Assert.All(graph.Requests, r => Assert.Equal("GET", r.Method));
        Assert.Equal(3, options.Counters.Requests);
        Assert.Equal(0, options.Counters.Envelopes);
        Assert.Equal(1, options.Counters.InFlightLimit);
    }

    [Theory]
    [InlineData(50, 20)]
    [InlineData(20, 20)]
    [InlineData(7, 7)]
    public async Task BatchSizeFillsEnvelopesUpToTwentyItems(int batchSize, int largest)
    {
        using var graph = new BulkGraph(Position);
        var counters = new BulkCounters();
        var service = await OpenAsync(graph, new SessionOptions { BatchSize = batchSize, ThrottleLimit = 1, Linger = TimeSpan.FromSeconds(30), Counters = counters });

        var reads = Enumerable.Range(1, 45).Select(i => service.GetAsync(null, "p" + i, null, CancellationToken.None)).ToList();
        service.Flush();
        var positions = await Task.WhenAll(reads);

        Assert.Equal(45, positions.Select(p => p.Id).Distinct().Count());
        var sizes = graph.EnvelopeSteps.Select(e => e.Count).ToList();
        Assert.Equal(largest, sizes.Max());
        Assert.Equal(45, sizes.Sum() + graph.Requests.Count(r => !r.IsBatch));
        Assert.Equal(graph.Requests.Count, counters.Requests);
        Assert.Equal(sizes.Count, counters.Envelopes);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(1)]
    public async Task ABatchSizeOfOneOrLessSendsPlainRequests(int batchSize)
    {
        using var graph = new BulkGraph(Position);
        var service = await OpenAsync(graph, new SessionOptions { BatchSize = batchSize, ThrottleLimit = 4, Counters = _harness.Counters });

        var reads = Enumerable.Range(1, 5).Select(i => service.GetAsync(null, "p" + i, null, CancellationToken.None)).ToList();
        service.Flush();
        await Task.WhenAll(reads);

        Assert.DoesNotContain(graph.Requests, r => r.IsBatch);
        Assert.Equal(5, graph.Requests.Count);
        Assert.Equal(0, _harness.Counters.Envelopes);
    }

    [Theory]
    [InlineData(6, 6)]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    public async Task ThrottleLimitIsTheStartingInFlightLimit(int throttleLimit, int expected)
    {
        using var graph = new BulkGraph(Position);
        var counters = new BulkCounters();

        await OpenAsync(graph, new SessionOptions { ThrottleLimit = throttleLimit, Counters = counters });

        Assert.Equal(expected, counters.InFlightLimit);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 2)]
    [InlineData(null, 4)]
    public async Task MaxRetriesLimitsHowOftenAnItemIsSentAgain(int? maxRetries, int attempts)
    {
        using var graph = new BulkGraph(_ => ItemAnswer.Json(503, """{"error":{"code":"serviceNotAvailable","message":"Down."}}"""));
        var service = await OpenAsync(graph, new SessionOptions { MaxRetries = maxRetries, Counters = _harness.Counters });

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.GetAsync(null, "p1", null, CancellationToken.None));

        Assert.Equal(503, error.StatusCode);
        Assert.Equal(attempts, graph.Requests.Count);
        Assert.Equal(attempts - 1, _harness.Counters.Retries);
        Assert.Equal(attempts - 1, _harness.WaitsSnapshot().Count);
    }

    [Fact]
    public async Task TimeoutIsPerAttemptAndAnAttemptWithoutAnAnswerTimesOut()
    {
        using var graph = new BulkGraph(Position) { Hold = (_, _) => Task.Delay(TimeSpan.FromSeconds(3)) };
        var service = await OpenAsync(graph, new SessionOptions { Timeout = TimeSpan.FromMilliseconds(200), MaxRetries = 0 });

        var error = await Assert.ThrowsAsync<ConnectionException>(() => service.GetAsync(null, "p1", null, CancellationToken.None));

        Assert.Equal(ConnectionException.TimeoutId, error.ErrorId);
        Assert.Contains("0.2 seconds", error.Message);
        Assert.Single(graph.Requests);
    }

    [Fact]
    public async Task AShortLingerSendsAPartialEnvelopeWithoutFlush()
    {
        using var graph = new BulkGraph(Position);
        var service = await OpenAsync(graph, new SessionOptions { BatchSize = 10, ThrottleLimit = 1, Linger = TimeSpan.FromMilliseconds(20) });

        var reads = new[] { service.GetAsync(null, "p1", null, CancellationToken.None), service.GetAsync(null, "p2", null, CancellationToken.None), service.GetAsync(null, "p3", null, CancellationToken.None) };
        var positions = await Task.WhenAll(reads);

        Assert.Equal(new[] { "p1", "p2", "p3" }, positions.Select(p => p.Id));
        Assert.Equal(3, Assert.Single(graph.EnvelopeSteps).Count);
    }

    [Fact]
    public async Task TheSessionsEventsHearOfEachEnvelope()
    {
        using var graph = new BulkGraph(Position);
        var events = new RecordedEvents();
        var service = await OpenAsync(graph, new SessionOptions { BatchSize = 2, ThrottleLimit = 1, Linger = TimeSpan.FromSeconds(30), Events = events.Sink });

        await Task.WhenAll(service.GetAsync(null, "p1", null, CancellationToken.None), service.GetAsync(null, "p2", null, CancellationToken.None));

        Assert.Contains(events.Lines, l => l.Contains("POST " + graph.BaseUri + "beta/$batch (2 items)") && l.Contains("2 x 200"));
        Assert.All(events.Lines, l => Assert.DoesNotContain(_harness.Token.Split('.')[2], l));
    }

    [Fact]
    public async Task EachSessionHasItsOwnSenderAndCounters()
    {
        using var graph = new BulkGraph(Position);
        var connection = await _harness.ConnectAsync(graph.BaseUri);
        var first = new BulkCounters();
        var second = new BulkCounters();
        var a = connection.OpenSession(new SessionOptions { BatchSize = 2, ThrottleLimit = 3, Counters = first, Linger = TimeSpan.FromSeconds(30) });
        var b = connection.OpenSession(new SessionOptions { BatchSize = 1, ThrottleLimit = 2, Counters = second });

        await Task.WhenAll(a.GetAsync(null, "p1", null, CancellationToken.None), a.GetAsync(null, "p2", null, CancellationToken.None));
        await b.GetAsync(null, "p3", null, CancellationToken.None);
        a.Dispose();
        await b.GetAsync(null, "p4", null, CancellationToken.None);

        Assert.Equal((1, 1, 3), (first.Requests, first.Envelopes, first.InFlightLimit));
        Assert.Equal((2, 0, 2), (second.Requests, second.Envelopes, second.InFlightLimit));
    }
}
