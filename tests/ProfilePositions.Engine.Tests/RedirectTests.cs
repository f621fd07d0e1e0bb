using System.Net;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>
/// Redirects are followed only to the origin the request went to: a 307 keeps the method and the body, so following
/// it to another port or host would hand that server the create's body (and its answer would be taken for Graph's).
/// </summary>
[Collection("Session")]
public sealed class RedirectTests : IDisposable
{
    private readonly BulkHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    private static Dictionary<string, string> Location(string url) => new() { ["Location"] = url };

    [Fact]
    public async Task A307ToAnotherPortIsNotFollowedAndTheBodyGoesNowhereElse()
    {
        using var elsewhere = new LoopbackGraph(_ => new CannedResponse(201, """{"id":"forged"}"""));
        using var graph = new LoopbackGraph(_ => new CannedResponse(307, null, Location(elsewhere.BaseUri + "beta/me/profile/positions")));
        var service = (await _harness.ConnectAsync(graph.BaseUri)).OpenSession();

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.CreateAsync(null, BulkHarness.Body(), CancellationToken.None));

        Assert.Equal(307, error.StatusCode);
        Assert.Empty(elsewhere.Requests);
        var request = Assert.Single(graph.Requests);
        Assert.Equal(("POST", "/beta/me/profile/positions"), (request.Method, request.RawUrl));
    }

    [Fact]
    public async Task ARedirectedEnvelopeIsNotFollowedToAnotherOrigin()
    {
        using var elsewhere = new LoopbackGraph(_ => new CannedResponse(200, """{"responses":[]}"""));
        using var graph = new LoopbackGraph(_ => new CannedResponse(307, null, Location(elsewhere.BaseUri + "beta/$batch")));
        var connection = await _harness.ConnectAsync(graph.BaseUri);
        var service = connection.OpenSession(new Connection.SessionOptions { BatchSize = 2, ThrottleLimit = 1, Linger = TimeSpan.FromSeconds(30) });

        var creates = new[] { service.CreateAsync(null, BulkHarness.Body("One"), CancellationToken.None), service.CreateAsync(null, BulkHarness.Body("Two"), CancellationToken.None) };

        foreach (var create in creates)
        {
            Assert.Equal(307, (await Assert.ThrowsAsync<GraphServiceException>(() => create)).StatusCode);
        }

        Assert.Empty(elsewhere.Requests);
        Assert.Equal("/beta/$batch", Assert.Single(graph.Requests).RawUrl);
    }

    [Fact]
    public async Task ARedirectedReadIsNotFollowedToAnotherOriginEither()
    {
        using var elsewhere = new LoopbackGraph(_ => new CannedResponse(200, """{"value":[{"id":"forged"}]}"""));
        using var graph = new LoopbackGraph(_ => new CannedResponse(302, null, Location(elsewhere.BaseUri + "beta/me/profile/positions")));
        var service = (await _harness.ConnectAsync(graph.BaseUri)).OpenSession();

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.ListAsync(null, new PositionQuery(), CancellationToken.None));

        Assert.Equal(302, error.StatusCode);
        Assert.Empty(elsewhere.Requests);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A307WithinTheSameOriginIsFollowedWithTheSameBody(bool absolute)
    {
        LoopbackGraph? self = null;
        using var graph = new LoopbackGraph(r => r.RawUrl.Contains("moved")
            ? new CannedResponse(201, """{"id":"p-moved","detail":{"jobTitle":"Engineer"}}""")
            : new CannedResponse(307, null, Location((absolute ? self!.BaseUri.ToString().TrimEnd('/') : string.Empty) + "/beta/me/profile/positions?moved=1")));
        self = graph;
        var service = (await _harness.ConnectAsync(graph.BaseUri)).OpenSession();

        var created = await service.CreateAsync(null, BulkHarness.Body(), CancellationToken.None);

        Assert.Equal("p-moved", created.Id);
        Assert.Equal(2, graph.Requests.Count);
        Assert.Equal(("POST", "/beta/me/profile/positions?moved=1"), (graph.Requests[1].Method, graph.Requests[1].RawUrl));
        Assert.Equal(graph.Requests[0].Body, graph.Requests[1].Body);
        Assert.Equal(BulkHarness.Body().ToJson(), graph.Requests[1].Body);
        Assert.Equal("Bearer " + _harness.Token, graph.Requests[1].Headers["Authorization"]);
    }

    [Theory]
    [InlineData("http://127.0.0.1:5000/beta/me", "http://127.0.0.1:5000/beta/other", true)]
    [InlineData("http://127.0.0.1:5000/beta/me", "/beta/other", true)]
    [InlineData("http://127.0.0.1:5000/beta/me", "http://127.0.0.1:5001/beta/me", false)]
    [InlineData("http://127.0.0.1:5000/beta/me", "https://127.0.0.1:5000/beta/me", false)]
    [InlineData("https://graph.microsoft.com/beta/me", "https://graph.microsoft.com:444/beta/me", false)]
    [InlineData("https://graph.microsoft.com/beta/me", "https://evil.example/beta/me", false)]
    [InlineData("https://graph.microsoft.com/beta/me", "https://GRAPH.microsoft.com/beta/me", true)]
    [InlineData("https://graph.microsoft.com/beta/me", null, false)]
    public void OnlyARedirectToTheSameSchemeHostAndPortIsFollowed(string from, string? to, bool follow)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { RequestMessage = new HttpRequestMessage(HttpMethod.Post, from) };
        if (to != null)
        {
            response.Headers.Location = new Uri(to, UriKind.RelativeOrAbsolute);
        }

        Assert.Equal(follow, GraphPipeline.SameOrigin(response));
    }
}
