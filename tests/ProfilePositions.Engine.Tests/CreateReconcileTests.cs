using System.Collections;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>
/// Creates whose outcome is unknown (5xx, dropped connection, cut-off response) are reconciled by reading the
/// positions before anything is sent again. A small in-memory Graph stands behind the whole pipeline; each POST
/// follows a script (commit or not, then answer or fail), and the tests check what the store holds afterwards.
/// </summary>
[Collection("Session")]
public sealed class CreateReconcileTests : IDisposable
{
    private readonly List<TimeSpan> _waits = new();
    private readonly RecordedEvents _events = new();
    private List<string> _log => _events.Lines;

    // The log sink is async-local: set here, in the flow that runs the test, not inside an async helper.
    private ProfileGraphConnection? _connection;

    public void Dispose() => _connection?.Disconnect();

    private async Task<IProfilePositionService> ConnectAsync(FakeGraph graph)
    {
        _connection = await ProfileGraphConnector.ConnectAsync(
            new ConnectRequest { AccessToken = TestTokens.Delegated(), GraphEndpoint = new Uri("https://graph.microsoft.com") },
            CancellationToken.None,
            graph,
            retry => { retry.Time = new RecordingTime(_waits); retry.UseJitter = false; });
        return _connection.OpenSession(new SessionOptions { Events = _events.Sink });
    }

    private static PositionBody Body(string jobTitle = "Engineer") =>
        PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["jobTitle"] = jobTitle, ["company"] = new Hashtable { ["displayName"] = "Contoso" } }, ["isCurrent"] = true });

    [Theory]
    [InlineData(503)]
    [InlineData(504)]
    [InlineData(500)]
    [InlineData(502)]
    public async Task AServerErrorBeforeTheCommitIsReadThenSentAgainAndCreatesOnce(int status)
    {
        var graph = new FakeGraph().OnPost(PostOutcome.Fail(status, commit: false, retryAfter: "0"));
        var service = await ConnectAsync(graph);

        var created = await service.CreateAsync("adele@contoso.com", Body(), CancellationToken.None);

        var stored = Assert.Single(graph.Positions);
        Assert.Equal((string?)stored["id"], created.Id);
        Assert.Equal("Engineer", created.Detail!.JobTitle);
        Assert.Equal(2, graph.Posts.Count);
        Assert.Equal(graph.Posts[0], graph.Posts[1]);
        Assert.Equal(1, graph.Lists);
        // Retry-After: 0 plus the margin that keeps a retry from arriving early.
        Assert.Equal(RetryPolicy.WaitFor(TimeSpan.Zero), Assert.Single(_waits));
        Assert.Contains(_log, line => line.Contains("outcome unknown") && line.Contains(status.ToString()));
        Assert.Contains(_log, line => line.Contains("sending it again"));
    }

    [Theory]
    [InlineData(503)]
    [InlineData(504)]
    public async Task AServerErrorAfterTheCommitIsFoundByReadingAndNotSentAgain(int status)
    {
        var graph = new FakeGraph().OnPost(PostOutcome.Fail(status, commit: true));
        var service = await ConnectAsync(graph);

        var created = await service.CreateAsync(null, Body(), CancellationToken.None);

        var stored = Assert.Single(graph.Positions);
        Assert.Equal((string?)stored["id"], created.Id);
        Assert.Equal("me", created.UserId);
        Assert.Single(graph.Posts);
        Assert.Equal(1, graph.Lists);
        Assert.Single(_waits); // the read waits first, so a commit still under way has landed when it looks
        Assert.Contains(_log, line => line.Contains("found the created position " + created.Id));
    }

    [Fact]
    public async Task AConnectionClosedAfterTheCommitIsFoundByReading()
    {
        var graph = new FakeGraph().OnPost(PostOutcome.Drop(commit: true));
        var service = await ConnectAsync(graph);

        var created = await service.CreateAsync(null, Body(), CancellationToken.None);

        Assert.Equal((string?)Assert.Single(graph.Positions)["id"], created.Id);
        Assert.Single(graph.Posts);
    }

    [Fact]
    public async Task AConnectionClosedBeforeTheCommitIsSentAgainAfterTheBackOff()
    {
        var graph = new FakeGraph().OnPost(PostOutcome.Drop(commit: false));
        var service = await ConnectAsync(graph);

        var created = await service.CreateAsync(null, Body(), CancellationToken.None);

        Assert.Equal((string?)Assert.Single(graph.Positions)["id"], created.Id);
        Assert.Equal(2, graph.Posts.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.Single(_waits));
    }

    [Fact]
    public async Task AResponseCutOffAfterTheCommitIsFoundByReading()
    {
        var graph = new FakeGraph().OnPost(PostOutcome.CutOff());
        var service = await ConnectAsync(graph);

        var created = await service.CreateAsync(null, Body(), CancellationToken.None);

        Assert.Equal((string?)Assert.Single(graph.Positions)["id"], created.Id);
        Assert.Single(graph.Posts);
        Assert.Equal(1, graph.Lists);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(501)]
    public async Task ARefusedCreateIsNeitherReadNorSentAgain(int status)
    {
        var graph = new FakeGraph().OnPost(PostOutcome.Fail(status, commit: false));
        var service = await ConnectAsync(graph);

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.CreateAsync(null, Body(), CancellationToken.None));

        Assert.Equal(status, error.StatusCode);
        Assert.Single(graph.Posts);
        Assert.Equal(0, graph.Lists);
        Assert.Empty(graph.Positions);
    }

    [Fact]
    public async Task WhenEveryAttemptFailsItGivesUpAtTheRetryLimitAndSaysNothingWasCreated()
    {
        var graph = new FakeGraph();
        for (var i = 0; i < 6; i++)
        {
            graph.OnPost(PostOutcome.Fail(503, commit: false));
        }

        var service = await ConnectAsync(graph);

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.CreateAsync(null, Body(), CancellationToken.None));

        Assert.Equal(503, error.StatusCode);
        Assert.Contains("nothing was created", error.Message);
        Assert.Equal(4, graph.Posts.Count);
        Assert.Equal(4, graph.Lists);
        Assert.Equal(new[] { 3.0, 6.0, 12.0 }, _waits.Select(wait => wait.TotalSeconds));
        Assert.Empty(graph.Positions);
    }

    [Fact]
    public async Task ARetryAfterOnTheFailedCreateIsWaitedOutBeforeItIsSentAgain()
    {
        var graph = new FakeGraph().OnPost(PostOutcome.Fail(503, commit: false, retryAfter: "2.5"));
        var service = await ConnectAsync(graph);

        await service.CreateAsync(null, Body(), CancellationToken.None);

        Assert.Equal(RetryPolicy.WaitFor(TimeSpan.FromSeconds(2.5)), Assert.Single(_waits));
        Assert.Single(graph.Positions);
    }

    [Fact]
    public async Task AnIdenticalPositionThatWasThereBeforeIsNotTakenForTheResult()
    {
        var graph = new FakeGraph().OnPost(PostOutcome.Fail(503, commit: false, retryAfter: "0"));
        graph.Seed(Body().ToJson(), DateTimeOffset.UtcNow.AddHours(-1));
        var service = await ConnectAsync(graph);

        var created = await service.CreateAsync(null, Body(), CancellationToken.None);

        Assert.Equal(2, graph.Positions.Count);
        Assert.Equal((string?)graph.Positions[1]["id"], created.Id);
    }

    [Fact]
    public async Task TwoIdenticalItemsStayTwoWhenTheSecondCreateFailsBeforeItsCommit()
    {
        var graph = new FakeGraph().OnPost(PostOutcome.Ok()).OnPost(PostOutcome.Fail(503, commit: false, retryAfter: "0"));
        var service = await ConnectAsync(graph);

        var first = await service.CreateAsync(null, Body(), CancellationToken.None);
        var second = await service.CreateAsync(null, Body(), CancellationToken.None);

        Assert.Equal(2, graph.Positions.Count);
        Assert.NotEqual(first.Id, second.Id);
        Assert.Equal(3, graph.Posts.Count);
    }

    [Fact]
    public async Task WhenThePositionsCannotBeReadTheErrorSaysTheOutcomeIsUnknown()
    {
        var graph = new FakeGraph { FailLists = true }.OnPost(PostOutcome.Fail(503, commit: true));
        var service = await ConnectAsync(graph);

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.CreateAsync(null, Body(), CancellationToken.None));

        Assert.Contains("may or may not exist", error.Message);
        Assert.Single(graph.Posts);
    }

    [Fact]
    public async Task ExistingPositionsReadsEachUserOnceAndSeesWhatTheRunCreated()
    {
        var graph = new FakeGraph();
        graph.Seed(Body("Existing").ToJson(), DateTimeOffset.UtcNow.AddDays(-3));
        var service = await ConnectAsync(graph);
        var existing = new ExistingPositions(service, EngineEvents.None);

        var found = await existing.FindAsync("me", Body("Existing"), CancellationToken.None);
        var missing = await existing.FindAsync(null, Body("New"), CancellationToken.None);
        var created = await service.CreateAsync(null, Body("New"), CancellationToken.None);
        existing.Add(null, created);
        var foundCreated = await existing.FindAsync("ME", Body("New"), CancellationToken.None);

        Assert.Equal((string?)graph.Positions[0]["id"], found!.Id);
        Assert.Null(missing);
        Assert.Equal(created.Id, foundCreated!.Id);
        Assert.Equal(1, graph.Lists);
    }
}

/// <summary>What one POST does: whether the position is stored, then how the request ends.</summary>
internal sealed record PostOutcome(bool Commit, int Status, string? RetryAfter, bool DropConnection, bool CutOffBody)
{
    public static PostOutcome Ok() => new(true, 201, null, false, false);

    public static PostOutcome Fail(int status, bool commit, string? retryAfter = null) => new(commit, status, retryAfter, false, false);

    public static PostOutcome Drop(bool commit) => new(commit, 0, null, true, false);

    public static PostOutcome CutOff() => new(true, 201, null, false, true);
}

/// <summary>An in-memory positions endpoint for one profile: POST follows a script (then succeeds), GET lists all.</summary>
internal sealed class FakeGraph : HttpMessageHandler
{
    private readonly Queue<PostOutcome> _posts = new();
    private int _nextId;

    public List<JsonObject> Positions { get; } = new();

    public List<string> Posts { get; } = new();

    public int Lists { get; private set; }

    public bool FailLists { get; init; }

    public FakeGraph OnPost(PostOutcome outcome)
    {
        _posts.Enqueue(outcome);
        return this;
    }

    public void Seed(string json, DateTimeOffset created) => Store(json, created);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Method == HttpMethod.Get)
        {
            Lists++;
            if (FailLists)
            {
                return Json(request, 404, """{"error":{"code":"Request_ResourceNotFound","message":"gone"}}""");
            }

            return Json(request, 200, new JsonObject { ["value"] = new JsonArray(Positions.Select(p => (JsonNode)p.DeepClone()).ToArray()) }.ToJsonString());
        }

        var body = await request.Content!.ReadAsStringAsync(cancellationToken);
        Posts.Add(body);
        var outcome = _posts.Count > 0 ? _posts.Dequeue() : PostOutcome.Ok();
        var stored = outcome.Commit ? Store(body, DateTimeOffset.UtcNow) : null;
        if (outcome.DropConnection)
        {
            throw new HttpRequestException("An error occurred while sending the request.", new IOException("The response ended prematurely."));
        }

        if (outcome.CutOffBody)
        {
            return new HttpResponseMessage(HttpStatusCode.Created) { RequestMessage = request, Content = new CutOffContent(stored!.ToJsonString()) };
        }

        if (outcome.Status >= 300)
        {
            var response = Json(request, outcome.Status, """{"error":{"code":"failed","message":"Scripted failure."}}""");
            if (outcome.RetryAfter != null)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", outcome.RetryAfter);
            }

            return response;
        }

        return Json(request, 201, stored!.ToJsonString());
    }

    private JsonObject Store(string json, DateTimeOffset created)
    {
        var position = JsonNode.Parse(json)!.AsObject();
        position["id"] = "pos-" + (++_nextId);
        position["createdDateTime"] = created.ToString("o");
        Positions.Add(position);
        return position;
    }

    private static HttpResponseMessage Json(HttpRequestMessage request, int status, string body) =>
        new((HttpStatusCode)status) { RequestMessage = request, Content = new StringContent(body, Encoding.UTF8, "application/json") };

    /// <summary>Sends half the body, then fails as a dropped connection does.</summary>
    private sealed class CutOffContent : HttpContent
    {
        private readonly byte[] _bytes;

        public CutOffContent(string text)
        {
            _bytes = Encoding.UTF8.GetBytes(text);
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(_bytes.AsMemory(0, _bytes.Length / 2));
            throw new IOException("The response ended prematurely.");
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }
}
