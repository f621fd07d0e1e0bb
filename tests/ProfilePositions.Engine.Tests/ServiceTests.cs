using System.Collections;
using System.Text.RegularExpressions;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>The engine end to end over real HTTP to a loopback server: exactly what is sent, and what comes back.</summary>
[Collection("Session")]
public sealed class ServiceTests : IDisposable
{
    private readonly string _token = TestTokens.Delegated(scp: "User.ReadWrite.All User.Read");
    private readonly RecordedEvents _events = new();
    private List<string> _log => _events.Lines;

    private ProfileGraphConnection? _connection;

    public void Dispose() => _connection?.Disconnect();

    private async Task<IProfilePositionService> ConnectAsync(LoopbackGraph graph)
    {
        _connection = await ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = _token, GraphEndpoint = graph.BaseUri }, CancellationToken.None);
        return _connection.OpenSession(new SessionOptions { Events = _events.Sink });
    }

    [Fact]
    public async Task ConnectingWithATokenReportsTheContextButNeverTheToken()
    {
        using var graph = new LoopbackGraph(_ => new CannedResponse(200, "{}"));

        _connection = await ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = "Bearer " + _token, GraphEndpoint = new Uri(graph.BaseUri, "/beta") }, CancellationToken.None);
        var context = _connection.Context;

        Assert.Equal("adele@contoso.com", context.Account);
        Assert.Equal("72f988bf-86f1-41af-91ab-2d7cd011db47", context.TenantId);
        Assert.Equal(new[] { "User.ReadWrite.All", "User.Read" }, context.Scopes);
        Assert.Equal("Custom", context.Environment);
        Assert.Equal(graph.BaseUri.AbsoluteUri, context.GraphEndpoint!.AbsoluteUri);
        Assert.Equal("UserProvidedAccessToken", context.AuthType);
        Assert.Equal("Process", context.ContextScope);
        Assert.True(context.TokenExpiresOn > DateTimeOffset.UtcNow);
        var everything = string.Join("|", typeof(ProfileGraphContext).GetProperties().Select(p => Convert.ToString(p.GetValue(context))));
        Assert.DoesNotContain(_token.Split('.')[2], everything);
        Assert.DoesNotContain(_token.Split('.')[2], context.ToString());
    }

    [Fact]
    public async Task TheDocumentedCreateSendsExactlyTheDocumentedRequest()
    {
        using var graph = new LoopbackGraph(_ => new CannedResponse(201, PositionReaderTests.DocumentedGetResponse));
        var service = await ConnectAsync(graph);
        const string userId = "6e7b768e-07e2-4810-8459-485f84f8f204";

        var created = await service.CreateAsync(userId, PositionBody.FromInput(PositionBodyTests.DocumentedHashtable()), CancellationToken.None);

        var request = Assert.Single(graph.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/beta/users/" + userId + "/profile/positions", request.RawUrl);
        Assert.Equal("Bearer " + _token, request.Headers["Authorization"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"]);
        Assert.Matches("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", request.Headers["client-request-id"]);
        Assert.True(request.Headers.ContainsKey("SdkVersion"), "Graph.Core's telemetry handler is in the pipeline");
        Assert.Equal(PositionBody.FromInput(PositionBodyTests.DocumentedHashtable()).ToJson(), request.Body);
        Assert.DoesNotContain("null", request.Body);
        Assert.Equal("0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f", created.Id);
        Assert.Equal(userId, created.UserId);
        Assert.Equal("datetime-value", created.Detail!.StartMonthYear);
    }

    [Fact]
    public async Task EveryRequestCarriesAFreshClientRequestId()
    {
        using var graph = new LoopbackGraph(_ => new CannedResponse(200, """{"value":[]}"""));
        var service = await ConnectAsync(graph);

        await service.ListAsync(null, new PositionQuery(), CancellationToken.None);
        await service.ListAsync(null, new PositionQuery(), CancellationToken.None);

        Assert.Equal(2, graph.Requests.Select(r => r.Headers["client-request-id"]).Distinct().Count());
    }

    [Fact]
    public async Task ListingSendsTheQueryAndFollowsNextLinks()
    {
        LoopbackGraph? self = null;
        using var graph = new LoopbackGraph(r => r.RawUrl.Contains("$skiptoken")
            ? new CannedResponse(200, """{"value":[{"id":"2","isCurrent":"True"}]}""")
            : new CannedResponse(200, "{\"@odata.context\":\"x\",\"value\":[{\"id\":\"1\",\"allowedAudiences\":\"8\"}],\"@odata.nextLink\":\"" + self!.BaseUri + "beta/me/profile/positions?$top=1&$skiptoken=abc\"}"));
        self = graph;
        var service = await ConnectAsync(graph);

        var first = await service.ListAsync("me", new PositionQuery { Filter = "isCurrent eq true", Top = 1, Sort = new[] { "Detail/JobTitle desc" }, Select = new[] { "Id", "Detail" } }, CancellationToken.None);
        var second = await service.ListNextAsync("me", first.NextLink!, CancellationToken.None);

        Assert.Equal("/beta/me/profile/positions?$filter=isCurrent%20eq%20true&$orderby=detail/jobTitle%20desc&$select=id,detail&$top=1", graph.Requests[0].RawUrl);
        Assert.Equal("/beta/me/profile/positions?$top=1&$skiptoken=abc", graph.Requests[1].RawUrl);
        Assert.Equal("organization", first.Items.Single().AllowedAudiences);
        Assert.Equal("me", first.Items.Single().UserId);
        Assert.True(second.Items.Single().IsCurrent);
        Assert.Null(second.NextLink);
    }

    [Fact]
    public async Task ANextLinkToAnotherHostIsNotFollowed()
    {
        using var graph = new LoopbackGraph(_ => new CannedResponse(200, "{}"));
        var service = await ConnectAsync(graph);

        await Assert.ThrowsAsync<PositionInputException>(() => service.ListNextAsync(null, "https://evil.example/beta/me/profile/positions?$skiptoken=x", CancellationToken.None));
        Assert.Empty(graph.Requests);
    }

    [Theory]
    [InlineData("AdeleVance_adatum.com#EXT#@contoso.com", "/beta/users/AdeleVance_adatum.com%23EXT%23@contoso.com/profile/positions/p%2F1")]
    [InlineData("$AdeleVance@contoso.com", "/beta/users('$AdeleVance@contoso.com')/profile/positions/p%2F1")]
    [InlineData("o'neil@contoso.com", "/beta/users/o'neil@contoso.com/profile/positions/p%2F1")]
    [InlineData("", "/beta/me/profile/positions/p%2F1")]
    public async Task UsersAndIdsArriveAsOneSegmentEach(string userId, string rawUrl)
    {
        using var graph = new LoopbackGraph(_ => new CannedResponse(200, """{"id":"p/1"}"""));
        var service = await ConnectAsync(graph);

        var position = await service.GetAsync(userId, "p/1", null, CancellationToken.None);

        Assert.Equal(rawUrl, graph.Requests.Single().RawUrl);
        Assert.Equal(userId.Length == 0 ? "me" : userId, position.UserId);
    }

    [Fact]
    public async Task UpdateSendsOnlyWhatWasGivenAndDeleteSendsNoBody()
    {
        using var graph = new LoopbackGraph(r => r.Method == "DELETE" ? new CannedResponse(204) : new CannedResponse(200, """{"id":"p1","isCurrent":false}"""));
        var service = await ConnectAsync(graph);

        var updated = await service.UpdateAsync("bob@contoso.com", "p1", PositionBody.FromParameters(new Dictionary<string, object?> { ["IsCurrent"] = false }), CancellationToken.None);
        await service.DeleteAsync("bob@contoso.com", "p1", CancellationToken.None);

        Assert.Equal(("PATCH", "/beta/users/bob@contoso.com/profile/positions/p1", "{\"isCurrent\":false}"), (graph.Requests[0].Method, graph.Requests[0].RawUrl, graph.Requests[0].Body));
        Assert.Equal(("DELETE", "/beta/users/bob@contoso.com/profile/positions/p1", ""), (graph.Requests[1].Method, graph.Requests[1].RawUrl, graph.Requests[1].Body));
        Assert.False(updated.IsCurrent);
        await Assert.ThrowsAsync<PositionInputException>(() => service.UpdateAsync(null, "p1", new PositionBody(), CancellationToken.None));
    }

    [Fact]
    public async Task AnUpdateAnsweredWithNoContentReadsThePositionBack()
    {
        using var graph = new LoopbackGraph(r => r.Method == "PATCH" ? new CannedResponse(204) : new CannedResponse(200, """{"id":"p1","detail":{"jobTitle":"New"}}"""));
        var service = await ConnectAsync(graph);

        var updated = await service.UpdateAsync(null, "p1", PositionBody.FromParameters(new Dictionary<string, object?> { ["JobTitle"] = "New" }), CancellationToken.None);

        Assert.Equal(new[] { "PATCH", "GET" }, graph.Requests.Select(r => r.Method));
        Assert.Equal("New", updated.Detail!.JobTitle);
    }

    [Fact]
    public async Task GraphErrorsBecomeServiceExceptionsWithHints()
    {
        using var graph = new LoopbackGraph(_ => new CannedResponse(404, """{"error":{"code":"itemNotFound","message":"Not found","innerError":{"request-id":"req-42","date":"2025-01-01T00:00:00"}}}"""));
        var service = await ConnectAsync(graph);

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.DeleteAsync("adele@contoso.com", "gone", CancellationToken.None));

        Assert.Equal(404, error.StatusCode);
        Assert.Equal("itemNotFound", error.ErrorId);
        Assert.Equal("req-42", error.RequestId);
        Assert.Equal(graph.Requests.Single().Headers["client-request-id"], error.ClientRequestId);
        Assert.Contains("The position 'gone' was not found on the profile of 'adele@contoso.com'", error.Message);
    }

    [Fact]
    public async Task TheLogNamesMethodUrlStatusAndRequestIdButNeverTheToken()
    {
        using var graph = new LoopbackGraph(r => r.Method == "POST" ? new CannedResponse(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"bad " + _token + "\"}}") : new CannedResponse(200, """{"value":[]}"""));
        var service = await ConnectAsync(graph);

        await service.ListAsync(null, new PositionQuery { Top = 2 }, CancellationToken.None);
        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.CreateAsync(null, PositionBody.FromInput(new Hashtable { ["isCurrent"] = true }), CancellationToken.None));

        var lines = _log.ToList();
        Assert.Contains(lines, l => l.Contains("GET " + graph.BaseUri + "beta/me/profile/positions?$top=2"));
        Assert.Contains(lines, l => l.StartsWith("HTTP 200") && l.Contains("request-id rid-1"));
        Assert.Contains(lines, l => l.StartsWith("HTTP 400"));
        var signature = _token.Split('.')[2];
        Assert.All(lines, l => Assert.DoesNotContain(signature, l));
        Assert.All(lines, l => Assert.DoesNotContain("Authorization", l, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(signature, error.Message);
    }

    [Fact]
    public async Task DescribeShowsTheExactRequest()
    {
        using var graph = new LoopbackGraph(_ => new CannedResponse(200, "{}"));
        var service = await ConnectAsync(graph);
        var body = PositionBody.FromInput(PositionBodyTests.DocumentedHashtable());

        var preview = service.Describe("post", "$x@contoso.com", null, body);
        var delete = service.Describe("DELETE", null, "p1", null);

        Assert.Equal("POST", preview.Method);
        Assert.Equal(graph.BaseUri + "beta/users('$x@contoso.com')/profile/positions", preview.Url);
        Assert.Equal(body.ToJson(), preview.Json);
        Assert.Equal("DELETE " + graph.BaseUri + "beta/me/profile/positions/p1", delete.ToString());
        Assert.Empty(graph.Requests);
    }

    [Fact]
    public async Task AnAppOnlyTokenIsRefusedWithTheReason()
    {
        var appToken = TestTokens.Make(new { roles = new[] { "User.ReadWrite.All" }, tid = "t", exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds() });

        var error = await Assert.ThrowsAsync<ConnectionException>(() => ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = appToken, GraphEndpoint = new Uri("http://127.0.0.1:9") }, CancellationToken.None));

        Assert.Equal("AppOnlyTokenNotSupported", error.ErrorId);
        Assert.Contains("delegated", error.Message);
        Assert.DoesNotContain(appToken, error.Message);
    }

    [Fact]
    public async Task AnExpiredTokenConnectsWithAWarningAndTheExpiryInTheContext()
    {
        var warnings = new List<string>();
        var expired = TestTokens.Delegated(lifetimeSeconds: -600);

        _connection = await ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = expired, GraphEndpoint = new Uri("http://127.0.0.1:9"), Warning = warnings.Add }, CancellationToken.None);
        var context = _connection.Context;

        Assert.True(context.TokenExpiresOn < DateTimeOffset.UtcNow);
        Assert.Contains(warnings, w => w.Contains("expired"));
    }

    [Fact]
    public async Task PlainHttpToARemoteGraphIsRefusedAtConnect()
    {
        var error = await Assert.ThrowsAsync<ConnectionException>(() => ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = _token, GraphEndpoint = new Uri("http://graph.contoso.com") }, CancellationToken.None));

        Assert.Equal("InsecureEndpoint", error.ErrorId);
    }

    [Fact]
    public async Task AfterDisconnectTheConnectionCannotBeUsedAndSaysToConnect()
    {
        using var graph = new LoopbackGraph(_ => new CannedResponse(200, "{}"));
        await ConnectAsync(graph);
        var running = _connection!.Lease();

        Assert.Empty(_connection.Disconnect());

        Assert.True(_connection.IsRetired);
        var error = Assert.Throws<NotConnectedException>(() => _connection.Lease());
        Assert.Contains("Connect-ProfileGraph", error.Message);
        // A command that was running when the connection was forgotten still finishes its requests.
        Assert.NotNull(await _connection.OpenSession().ListAsync(null, new PositionQuery(), CancellationToken.None));
        running.Dispose();
        Assert.Empty(_connection.Disconnect());
    }

    [Fact]
    public async Task EachConnectionMasksItsOwnTokensAndForgettingOneLeavesTheOthersMasked()
    {
        var otherToken = TestTokens.Delegated(upn: "megan@contoso.com");
        var first = await ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = _token, GraphEndpoint = new Uri("http://127.0.0.1:9") }, CancellationToken.None);
        var second = await ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = otherToken, GraphEndpoint = new Uri("http://127.0.0.1:9") }, CancellationToken.None);

        first.Disconnect();

        Assert.Equal("echo [redacted]", second.Redact("echo " + otherToken));
        Assert.Contains(_token, first.Redact("echo " + _token));
        Assert.Equal("adele@contoso.com", first.Context.Account);
        Assert.Equal("megan@contoso.com", second.Context.Account);
        second.Disconnect();
    }

    [Fact]
    public async Task AnUnreachableGraphIsTriedAgainThenReportedAsNotSent()
    {
        int port;
        using (var graph = new LoopbackGraph(_ => new CannedResponse(200, "{}")))
        {
            port = graph.Port;
        }

        var waits = new List<TimeSpan>();
        _connection = await ProfileGraphConnector.ConnectAsync(
            new ConnectRequest { AccessToken = _token, GraphEndpoint = new Uri($"http://127.0.0.1:{port}") },
            CancellationToken.None,
            null,
            retry => { retry.Time = new RecordingTime(waits); retry.UseJitter = false; });
        var error = await Assert.ThrowsAsync<EndpointUnreachableException>(() => _connection.OpenSession().CreateAsync(null, PositionBody.FromInput(new Hashtable { ["isCurrent"] = true }), CancellationToken.None));

        // A connection that could not be made means the create was not sent: no reconcile read, no "may or may not exist".
        Assert.Equal("GraphUnreachable", error.ErrorId);
        Assert.Contains("Nothing was sent", error.Message);
        Assert.Contains("tried 4 times", error.Message);
        Assert.Equal(new[] { 3.0, 6.0, 12.0 }, waits.Select(wait => wait.TotalSeconds));
    }

    [Fact]
    public async Task TheTokenGoesOnlyToTheGraphHostOverHttpsOrLoopback()
    {
        var provider = new StaticAccessTokenProvider(_token, new Uri("https://graph.microsoft.com/"));
        var loopback = new StaticAccessTokenProvider(_token, new Uri("http://127.0.0.1:5000/"));

        Assert.Equal(_token, await provider.GetAuthorizationTokenAsync(new Uri("https://graph.microsoft.com/beta/me")));
        Assert.Equal(string.Empty, await provider.GetAuthorizationTokenAsync(new Uri("https://evil.example/beta/me")));
        Assert.Equal(string.Empty, await provider.GetAuthorizationTokenAsync(new Uri("http://graph.microsoft.com/beta/me")));
        Assert.Equal(_token, await loopback.GetAuthorizationTokenAsync(new Uri("http://127.0.0.1:5000/beta/me")));
    }
}
