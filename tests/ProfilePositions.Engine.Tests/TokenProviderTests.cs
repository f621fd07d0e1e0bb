using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>
/// -AccessTokenProvider and 401s, through the whole pipeline with a scripted innermost handler: the provider runs only on
/// the thread that takes the command's events (the pipeline thread), once at connect and once after a 401, whose request
/// goes out once more; a 401 that cannot be fixed stops the run.
/// </summary>
[Collection("Session")]
public sealed class TokenProviderTests : IDisposable
{
    private readonly EngineEvents _events = new EngineEvents();
    private readonly List<int> _providerThreads = new();
    private ProfileGraphConnection? _connection;

    public void Dispose() => _connection?.Disconnect();

    /// <summary>Plays the cmdlet: waits for the task on this thread, running the engine's calls here as they come.</summary>
    private T Pump<T>(Task<T> task)
    {
        while (!task.IsCompleted)
        {
            WaitHandle.WaitAny(new[] { ((IAsyncResult)task).AsyncWaitHandle, _events.Signal }, 100);
            while (_events.TryTake(out var engineEvent))
            {
                engineEvent.Run?.Invoke();
            }
        }

        return task.GetAwaiter().GetResult();
    }

    private IProfilePositionService Connect(ScriptedHandler handler, Func<string?> provider)
    {
        _connection = Pump(ProfileGraphConnector.ConnectAsync(
            new ConnectRequest
            {
                GraphEndpoint = new Uri("https://graph.microsoft.com"),
                Events = _events,
                AccessTokenProvider = () =>
                {
                    _providerThreads.Add(Environment.CurrentManagedThreadId);
                    return provider();
                },
            },
            CancellationToken.None,
            handler,
            retry => retry.UseJitter = false));
        return _connection.OpenSession(new SessionOptions { Events = _events, BatchSize = 1 });
    }

    [Fact]
    public void TheProviderRunsAtConnectAndOnceAfterA401OnThePumpingThreadAndTheRequestGoesOutOnceMore()
    {
        var tokens = new Queue<string>(new[] { TestTokens.Delegated(scp: "User.ReadWrite.All"), TestTokens.Delegated(scp: "User.ReadWrite.All User.Read") });
        var handler = new ScriptedHandler().Then(401, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}""").Then(200, """{"id":"p1"}""");
        var service = Connect(handler, () => tokens.Dequeue());

        var position = Pump(service.GetAsync(null, "p1", null, CancellationToken.None));

        Assert.Equal("p1", position.Id);
        Assert.Equal(2, _providerThreads.Count);
        Assert.All(_providerThreads, thread => Assert.Equal(Environment.CurrentManagedThreadId, thread));
        Assert.Equal(2, handler.Seen.Count);
        Assert.NotEqual(handler.Seen[0].Request.Headers.Authorization!.Parameter, handler.Seen[1].Request.Headers.Authorization!.Parameter);
        Assert.Equal("AccessTokenProvider", _connection!.Context.TokenCredentialType);
    }

    [Fact]
    public void AProviderThatHandsBackTheRefusedTokenStopsTheRun()
    {
        var token = TestTokens.Delegated();
        var handler = new ScriptedHandler().Then(401, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}""");
        var service = Connect(handler, () => token);

        var error = Assert.Throws<AccessTokenProviderException>(() => Pump(service.GetAsync(null, "p1", null, CancellationToken.None)));

        Assert.Equal("AccessTokenProviderSameToken", error.ErrorId);
        Assert.True(error.StopsTheRun);
        Assert.DoesNotContain(token, error.Message);
        Assert.Single(handler.Seen);
    }

    [Fact]
    public void ANewTokenThatIsRefusedTooStopsTheRunAfterOneRenewal()
    {
        var handler = new ScriptedHandler().Then(401, """{"error":{"code":"InvalidAuthenticationToken","message":"no"}}""").Then(401, """{"error":{"code":"InvalidAuthenticationToken","message":"no"}}""");
        var service = Connect(handler, () => TestTokens.Delegated(lifetimeSeconds: 3600 + _providerThreads.Count));

        var error = Assert.Throws<AccessTokenRejectedException>(() => Pump(service.GetAsync(null, "p1", null, CancellationToken.None)));

        Assert.Equal("InvalidAuthenticationToken", error.ErrorId);
        Assert.True(error.StopsTheRun);
        Assert.Contains("gave a new token and Graph refused it too", error.Message);
        Assert.Equal(2, handler.Seen.Count);
        Assert.Equal(2, _providerThreads.Count);
    }

    [Fact]
    public async Task A401WithAStaticTokenIsNotRetriedAndStopsTheRun()
    {
        var handler = new ScriptedHandler().Then(401, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}""");
        _connection = await ProfileGraphConnector.ConnectAsync(new ConnectRequest { AccessToken = TestTokens.Delegated(), GraphEndpoint = new Uri("https://graph.microsoft.com") }, CancellationToken.None, handler, null);
        var service = _connection.OpenSession();

        var error = await Assert.ThrowsAsync<AccessTokenRejectedException>(() => service.GetAsync(null, "p1", null, CancellationToken.None));

        Assert.Single(handler.Seen);
        Assert.True(error.StopsTheRun);
        Assert.Equal("Connect-ProfileGraph with a new token", error.BeforeResuming);
        Assert.Contains("-AccessTokenProvider", error.Message);
        Assert.IsType<GraphServiceException>(error.InnerException);
    }

    [Theory]
    [InlineData(3600, 300)]
    [InlineData(60, 30)]
    [InlineData(4, 2)]
    public void ATokenIsRenewedFiveMinutesEarlyOrHalfWayThroughWhatItHadLeft(int lifetimeSeconds, int aheadSeconds)
    {
        var now = DateTimeOffset.UtcNow;
        var expires = now.AddSeconds(lifetimeSeconds);

        Assert.Equal(expires.AddSeconds(-aheadSeconds), ProvidedAccessTokens.RenewalTime(now, expires));
    }

    [Fact]
    public void ATokenWithoutExpiryIsKeptUntilGraphRefusesIt() =>
        Assert.Equal(DateTimeOffset.MaxValue, ProvidedAccessTokens.RenewalTime(DateTimeOffset.UtcNow, null));

    [Fact]
    public async Task CallsWaitingWhenTheCommandEndsAreCancelledNotLeftHanging()
    {
        var events = new EngineEvents();
        var ran = false;
        var call = events.CallAsync(() => ran = true, CancellationToken.None);

        events.Close();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.False(ran);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => events.CallAsync(() => true, CancellationToken.None));
    }
}
