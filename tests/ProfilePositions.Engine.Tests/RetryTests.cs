using System.Collections;
using System.Net.Http.Headers;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>The retry policy, driven through the whole pipeline with a scripted innermost handler; waits are recorded, not slept.</summary>
[Collection("Session")]
public sealed class RetryTests : IDisposable
{
    private readonly List<TimeSpan> _waits = new();

    private ProfileGraphConnection? _connection;

    public void Dispose() => _connection?.Disconnect();

    private async Task<IProfilePositionService> ConnectAsync(ScriptedHandler handler)
    {
        _connection = await ProfileGraphConnector.ConnectAsync(
            new ConnectRequest { AccessToken = TestTokens.Delegated(), GraphEndpoint = new Uri("https://graph.microsoft.com") },
            CancellationToken.None,
            handler,
            retry => { retry.Time = new RecordingTime(_waits); retry.UseJitter = false; });
        return _connection.OpenSession();
    }

    private static Action<HttpResponseMessage> RetryAfter(string value) => r => r.Headers.TryAddWithoutValidation("Retry-After", value);

    [Fact]
    public async Task AThrottledReadWaitsTheFractionalRetryAfterAndTriesAgain()
    {
        var handler = new ScriptedHandler().Then(429, """{"error":{"code":"TooManyRequests","message":"Please retry again later."}}""", RetryAfter("2.128")).Then(200, """{"value":[]}""");
        var service = await ConnectAsync(handler);

        await service.ListAsync(null, new PositionQuery(), CancellationToken.None);

        Assert.Equal(2, handler.Seen.Count);
        Assert.Equal(RetryPolicy.WaitFor(TimeSpan.FromSeconds(2.128)), Assert.Single(_waits));
        Assert.True(Assert.Single(_waits) > TimeSpan.FromSeconds(2.128), "a retry never comes back before Graph's Retry-After");
        Assert.Equal("1", handler.Seen[1].Request.Headers.GetValues("Retry-Attempt").Single());
        Assert.Equal(handler.Seen[0].Request.Headers.GetValues("client-request-id"), handler.Seen[1].Request.Headers.GetValues("client-request-id"));
        Assert.Equal("Bearer", handler.Seen[1].Request.Headers.Authorization!.Scheme);
    }

    [Fact]
    public async Task AThrottledCreateIsSentAgainWithTheSameBody()
    {
        var handler = new ScriptedHandler().Then(429, null, RetryAfter("1")).Then(201, """{"id":"new"}""");
        var service = await ConnectAsync(handler);

        var created = await service.CreateAsync(null, PositionBody.FromInput(PositionBodyTests.DocumentedHashtable()), CancellationToken.None);

        Assert.Equal("new", created.Id);
        Assert.Equal(2, handler.Seen.Count);
        Assert.Equal(handler.Seen[0].Body, handler.Seen[1].Body);
        Assert.Equal("application/json", handler.Seen[1].Request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal(RetryPolicy.WaitFor(TimeSpan.FromSeconds(1)), Assert.Single(_waits));
    }

    [Fact]
    public async Task AnUnavailableServiceIsRetriedThreeTimesWithBackOffThenReported()
    {
        var handler = new ScriptedHandler().Then(503).Then(503).Then(503).Then(503, """{"error":{"code":"serviceNotAvailable","message":"Down"}}""");
        var service = await ConnectAsync(handler);

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.GetAsync(null, "p1", null, CancellationToken.None));

        Assert.Equal(4, handler.Seen.Count);
        Assert.Equal(new[] { 3.0, 6.0, 12.0 }, _waits.Select(w => w.TotalSeconds));
        Assert.Equal("serviceNotAvailable", error.Code);
        Assert.Contains("retried 3 times", error.Hint);
    }

    [Fact]
    public async Task UpdatesAndDeletesAreRetriedOnGatewayTimeouts()
    {
        var handler = new ScriptedHandler().Then(504, null, RetryAfter("0")).Then(200, """{"id":"p1"}""").Then(504, null, RetryAfter("0")).Then(204);
        var service = await ConnectAsync(handler);

        await service.UpdateAsync(null, "p1", PositionBody.FromInput(new Hashtable { ["isCurrent"] = true }), CancellationToken.None);
        await service.DeleteAsync(null, "p1", CancellationToken.None);

        Assert.Equal(new[] { "PATCH", "PATCH", "DELETE", "DELETE" }, handler.Seen.Select(s => s.Request.Method.Method));
        Assert.Equal(handler.Seen[0].Body, handler.Seen[1].Body);
    }

    [Fact]
    public async Task AWaitLongerThanTheCapIsReportedNotCutShort()
    {
        var handler = new ScriptedHandler().Then(429, """{"error":{"code":"TooManyRequests","message":"Slow down"}}""", RetryAfter("315"));
        var service = await ConnectAsync(handler);

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.ListAsync(null, new PositionQuery(), CancellationToken.None));

        Assert.Single(handler.Seen);
        Assert.Empty(_waits);
        Assert.Contains("wait 315 seconds", error.Hint);
    }

    [Fact]
    public async Task AnHttpDateRetryAfterIsHonouredInFull()
    {
        var when = DateTimeOffset.UtcNow.AddSeconds(90);
        var handler = new ScriptedHandler().Then(429, null, r => r.Headers.RetryAfter = new RetryConditionHeaderValue(when)).Then(200, """{"value":[]}""");
        var service = await ConnectAsync(handler);

        await service.ListAsync(null, new PositionQuery(), CancellationToken.None);

        Assert.InRange(Assert.Single(_waits).TotalSeconds, 85, 93);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(501)]
    [InlineData(507)]
    public async Task OtherFailuresAreNotRetried(int status)
    {
        var handler = new ScriptedHandler().Then(status, """{"error":{"code":"x","message":"y"}}""");
        var service = await ConnectAsync(handler);

        var error = await Assert.ThrowsAsync<GraphServiceException>(() => service.GetAsync(null, "p1", null, CancellationToken.None));

        Assert.Single(handler.Seen);
        Assert.Equal(status, error.StatusCode);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    public async Task AServerErrorWhoseOutcomeIsUnknownIsReadAgain(int status)
    {
        var handler = new ScriptedHandler().Then(status, """{"error":{"code":"x","message":"y"}}""").Then(200, """{"id":"p1"}""");
        var service = await ConnectAsync(handler);

        var position = await service.GetAsync(null, "p1", null, CancellationToken.None);

        Assert.Equal("p1", position.Id);
        Assert.Equal(2, handler.Seen.Count);
        Assert.Equal(TimeSpan.FromSeconds(3), Assert.Single(_waits));
    }
}
