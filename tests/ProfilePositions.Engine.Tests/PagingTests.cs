using System.Net;
using System.Text;
using System.Text.Json;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>
/// Listing as Get-ProfilePosition reads it (first page, -Top, -All), and the guards that keep a broken next link
/// from reading forever or from taking the token elsewhere.
/// </summary>
[Collection("Session")]
public sealed class PagingTests : IDisposable
{
    private const string Graph = "https://graph.microsoft.com";

    private readonly BulkHarness _harness = new();

    public void Dispose() => _harness.Dispose();

    /// <summary>An innermost handler serving pages of one position each: page n links to page n+1 while n &lt; pages.</summary>
    private sealed class Pages : HttpMessageHandler
    {
        private readonly Func<int, string?> _next;
        private int _count;

        /// <param name="next">The next link page n (1 for the first) carries, or null for the last page.</param>
        public Pages(Func<int, string?> next)
        {
            _next = next;
        }

        public int Count => Volatile.Read(ref _count);

        public List<string> Urls { get; } = new();

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var url = request.RequestUri!.AbsoluteUri;
            int page;
            lock (Urls)
            {
                Urls.Add(url);
                page = Urls.Count;
            }

            Interlocked.Increment(ref _count);
            var next = _next(page);
            var body = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["value"] = new[] { new { id = "p" + page } },
                ["@odata.nextLink"] = next,
            });
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request, Content = new StringContent(body, Encoding.UTF8, "application/json") });
        }
    }

    private static string Link(int page) => Graph + "/beta/me/profile/positions?$skiptoken=" + page;

    private async Task<IProfilePositionService> OpenAsync(Pages pages)
    {
        var connection = await _harness.ConnectAsync(new Uri(Graph), pages);
        return connection.OpenSession();
    }

    [Fact]
    public async Task WithoutTopOrAllOnlyTheFirstPageIsReadAndItSaysMoreExist()
    {
        var pages = new Pages(n => n < 3 ? Link(n + 1) : null);
        var service = await OpenAsync(pages);

        var listing = await service.ReadListingAsync(null, new PositionQuery { Filter = "isCurrent eq true" }, top: null, all: false, CancellationToken.None);

        Assert.Equal(new[] { "p1" }, listing.Items.Select(p => p.Id));
        Assert.True(listing.MoreExist);
        Assert.Equal(new[] { Graph + "/beta/me/profile/positions?$filter=isCurrent%20eq%20true" }, pages.Urls);
    }

    [Fact]
    public async Task TopFollowsPagesUntilItHasEnoughAndNoFurther()
    {
        var pages = new Pages(n => n < 10 ? Link(n + 1) : null);
        var service = await OpenAsync(pages);

        var listing = await service.ReadListingAsync("me", new PositionQuery(), top: 3, all: false, CancellationToken.None);

        Assert.Equal(new[] { "p1", "p2", "p3" }, listing.Items.Select(p => p.Id));
        Assert.False(listing.MoreExist);
        Assert.Equal(3, pages.Count);
        Assert.Equal(Link(2), pages.Urls[1]);
    }

    [Fact]
    public async Task PageSizeWithAllFollowsNextLinksWhereGraphTakesTopAsAPageSize()
    {
        // Graph links the next page: no $skip request is made, and the count is the first page's.
        var pages = new Pages(n => n < 4 ? Link(n + 1) : null);
        var service = await OpenAsync(pages);

        var listing = await service.ReadListingAsync(null, new PositionQuery { PageSize = 1, Count = true }, top: null, all: true, CancellationToken.None);

        Assert.Equal(new[] { "p1", "p2", "p3", "p4" }, listing.Items.Select(p => p.Id));
        Assert.Equal(Graph + "/beta/me/profile/positions?$count=true&$top=1", pages.Urls[0]);
        Assert.Equal(new[] { Link(2), Link(3), Link(4) }, pages.Urls.Skip(1));
    }

    [Fact]
    public async Task AllReadsEveryPageAndTopWinsOverAll()
    {
        var pages = new Pages(n => n < 4 ? Link(n + 1) : null);
        var service = await OpenAsync(pages);

        var all = await service.ReadListingAsync(null, new PositionQuery(), top: null, all: true, CancellationToken.None);
        var count = pages.Count;
        var both = await service.ReadListingAsync(null, new PositionQuery(), top: 1, all: true, CancellationToken.None);

        Assert.Equal(new[] { "p1", "p2", "p3", "p4" }, all.Items.Select(p => p.Id));
        Assert.False(all.MoreExist);
        Assert.Equal(4, count);
        Assert.Single(both.Items);
        Assert.Equal(5, pages.Count);
    }

    [Theory]
    [InlineData("all")]
    [InlineData("top")]
    [InlineData("listAll")]
    public async Task ANextLinkThatRepeatsStopsWithAPagingError(string how)
    {
        // Page 1 links to page 2, which links to itself.
        var pages = new Pages(_ => Link(2));
        var service = await OpenAsync(pages);

        var error = await Assert.ThrowsAsync<GraphPagingException>(() => how switch
        {
            "all" => service.ReadListingAsync(null, new PositionQuery(), null, true, CancellationToken.None),
            "top" => service.ReadListingAsync(null, new PositionQuery(), 1000, false, CancellationToken.None),
            _ => service.ListAllAsync(null, null, CancellationToken.None),
        });

        Assert.Equal("GraphPagingLoop", error.ErrorId);
        Assert.Contains("repeats", error.Message);
        Assert.Contains(Link(2), error.Message);
        Assert.Equal(2, pages.Count);
    }

    [Fact]
    public async Task ANextLinkBackToTheFirstPageStopsReadingAllPagesAtOnce()
    {
        var first = Graph + "/beta/me/profile/positions";
        var pages = new Pages(_ => first);
        var service = await OpenAsync(pages);

        await Assert.ThrowsAsync<GraphPagingException>(() => service.ListAllAsync(null, null, CancellationToken.None));

        Assert.Equal(1, pages.Count);
    }

    [Fact]
    public async Task ReadingAllPagesStopsAfterThePageCap()
    {
        var pages = new Pages(n => Link(n + 1));
        var service = await OpenAsync(pages);

        var error = await Assert.ThrowsAsync<GraphPagingException>(() => service.ListAllAsync(null, null, CancellationToken.None));

        Assert.Equal(GraphPositionService.PageCap, pages.Count);
        Assert.Contains("more pages than any profile holds", error.Message);
    }

    [Fact]
    public async Task ReadingWithTopStopsAfterThePageCapToo()
    {
        var pages = new Pages(n => Link(n + 1));
        var service = await OpenAsync(pages);

        var error = await Assert.ThrowsAsync<GraphPagingException>(() => service.ReadListingAsync(null, new PositionQuery(), 1_000_000, false, CancellationToken.None));

        Assert.Contains("more pages than any profile holds", error.Message);
        Assert.Equal(GraphPositionService.PageCap, pages.Count);
    }

    [Fact]
    public async Task AProfileOfExactlyThePageCapIsReadInFull()
    {
        var pages = new Pages(n => n < GraphPositionService.PageCap ? Link(n + 1) : null);
        var service = await OpenAsync(pages);

        var all = await service.ListAllAsync(null, null, CancellationToken.None);

        Assert.Equal(GraphPositionService.PageCap, all.Count);
        Assert.Equal(GraphPositionService.PageCap, pages.Count);
    }

    [Theory]
    [InlineData("http://127.0.0.1:{other}/beta/me/profile/positions?$skiptoken=x")]
    [InlineData("https://127.0.0.1:{port}/beta/me/profile/positions?$skiptoken=x")]
    [InlineData("http://localhost:{port}/beta/me/profile/positions?$skiptoken=x")]
    [InlineData("/beta/me/profile/positions?$skiptoken=x")]
    public async Task ANextLinkToAnotherOriginIsRefusedAndNothingIsSentThere(string template)
    {
        using var elsewhere = new LoopbackGraph(_ => new CannedResponse(200, """{"value":[{"id":"stolen"}]}"""));
        LoopbackGraph? self = null;
        using var graph = new LoopbackGraph(_ => new CannedResponse(200, "{\"value\":[{\"id\":\"p1\"}],\"@odata.nextLink\":\"" + template.Replace("{other}", elsewhere.Port.ToString()).Replace("{port}", self!.Port.ToString()) + "\"}"));
        self = graph;
        var connection = await _harness.ConnectAsync(graph.BaseUri);
        var service = connection.OpenSession();

        var error = await Assert.ThrowsAsync<PositionInputException>(() => service.ReadListingAsync(null, new PositionQuery(), null, true, CancellationToken.None));
        var direct = await Assert.ThrowsAsync<PositionInputException>(() => service.ListNextAsync(null, template.Replace("{other}", elsewhere.Port.ToString()).Replace("{port}", graph.Port.ToString()), CancellationToken.None));

        Assert.Equal("NextLink", error.Member);
        Assert.Contains("was not followed", direct.Message);
        Assert.Single(graph.Requests);
        Assert.Empty(elsewhere.Requests);
    }

    [Fact]
    public async Task ANextLinkToTheSameOriginIsFollowedWithTheToken()
    {
        LoopbackGraph? self = null;
        using var graph = new LoopbackGraph(r => r.RawUrl.Contains("skiptoken")
            ? new CannedResponse(200, """{"value":[{"id":"p2"}]}""")
            : new CannedResponse(200, "{\"value\":[{\"id\":\"p1\"}],\"@odata.nextLink\":\"" + self!.BaseUri + "beta/me/profile/positions?$skiptoken=2\"}"));
        self = graph;
        var connection = await _harness.ConnectAsync(graph.BaseUri);
        var service = connection.OpenSession();

        var listing = await service.ReadListingAsync(null, new PositionQuery(), null, true, CancellationToken.None);

        Assert.Equal(new[] { "p1", "p2" }, listing.Items.Select(p => p.Id));
        Assert.Equal("/beta/me/profile/positions?$skiptoken=2", graph.Requests[1].RawUrl);
        Assert.Equal("Bearer " + _harness.Token, graph.Requests[1].Headers["Authorization"]);
    }
}
