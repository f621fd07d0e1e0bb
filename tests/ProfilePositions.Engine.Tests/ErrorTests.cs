using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Tests;

[Collection("Session")]
public sealed class ErrorTests
{
    private static readonly IReadOnlyDictionary<string, string> NoHeaders = new Dictionary<string, string>();

    private static GraphServiceException Create(int status, string? body, string method = "GET", string? userId = null, string? positionId = null, AuthSnapshot? auth = null, IReadOnlyDictionary<string, string>? headers = null, int retries = 0) =>
        GraphErrorFactory.Create(status, body, headers ?? NoHeaders, new FailedRequest { Method = method, UserId = userId, PositionId = positionId, Retries = retries, ClientRequestId = "sent-id" }, auth, Redactor);

    private static readonly SecretRedactor Redactor = new();

    [Fact]
    public void TheODataErrorIsReadWithItsInnerErrorAnyCase()
    {
        var error = Create(403, """{"ERROR":{"Code":"Authorization_RequestDenied","MESSAGE":"Insufficient privileges to complete the operation.","innererror":{"Date":"2025-02-13T10:17:06","Request-Id":"93b6f17e","client-request-id":"e70c5c1b"}}}""", "POST", "bob@contoso.com");

        Assert.Equal(403, error.StatusCode);
        Assert.Equal("Authorization_RequestDenied", error.Code);
        Assert.Equal("Authorization_RequestDenied", error.ErrorId);
        Assert.Equal("Insufficient privileges to complete the operation.", error.GraphMessage);
        Assert.Equal("93b6f17e", error.RequestId);
        Assert.Equal("e70c5c1b", error.ClientRequestId);
        Assert.Equal("2025-02-13T10:17:06", error.Date);
        Assert.Contains("403", error.Message);
        Assert.Contains("request-id 93b6f17e", error.Message);
    }

    [Fact]
    public void AnEmptyMessageFromTheProfileServiceStillGivesAUsefulError()
    {
        var error = Create(400, """{"error":{"code":"UnknownError","message":"","innerError":{"date":"2022-12-22T10:41:51","request-id":"77fa3206","client-request-id":"77fa3206"}}}""", "POST");

        Assert.Equal("UnknownError", error.Code);
        Assert.Contains("(no message)", error.Message);
        Assert.Contains("enum values", error.Hint);
    }

    [Fact]
    public void ABodyThatIsNotGraphsFallsBackToTheStatusAndHeaders()
    {
        var headers = new Dictionary<string, string> { ["request-id"] = "from-header", ["Date"] = "Tue, 01 Jul 2025 10:00:00 GMT" };
        var error = Create(502, "<html>Bad gateway</html>", headers: headers);

        Assert.Equal("BadGateway", error.Code);
        Assert.Equal("from-header", error.RequestId);
        Assert.Equal("sent-id", error.ClientRequestId);
        Assert.Contains("<html>", error.GraphMessage);
        Assert.Contains("try again later", error.Hint);
    }

    [Fact]
    public void Unauthorized_SaysToReconnect()
    {
        Assert.Contains("run Connect-ProfileGraph again", Create(401, """{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}""").Hint, StringComparison.OrdinalIgnoreCase);

        var expired = Create(401, null, auth: new AuthSnapshot { ExpiresOn = DateTimeOffset.UtcNow.AddMinutes(-5) });
        Assert.Contains("expired at", expired.Hint);
    }

    [Theory]
    [InlineData("GET", null, "User.Read")]
    [InlineData("GET", "bob@contoso.com", "User.Read.All")]
    [InlineData("POST", "me", "User.ReadWrite")]
    [InlineData("PATCH", "bob@contoso.com", "User.ReadWrite.All")]
    [InlineData("DELETE", "adele@contoso.com", "User.ReadWrite")]
    public void Forbidden_NamesTheScopeNeeded(string method, string? userId, string scope)
    {
        var auth = new AuthSnapshot { Account = "adele@contoso.com", Scopes = new[] { "openid" } };

        var error = Create(403, """{"error":{"code":"accessDenied","message":"denied"}}""", method, userId, auth: auth);

        Assert.Contains("needs the delegated permission " + scope + " ", error.Hint);
        Assert.Contains("-Scopes " + scope, error.Hint);
        Assert.DoesNotContain("App-only", error.Hint); // a delegated token: talk of app-only tokens would only mislead
    }

    [Fact]
    public void Forbidden_WithTheScopeAlreadyGranted_SaysSoInstead()
    {
        var auth = new AuthSnapshot { Scopes = new[] { "https://graph.microsoft.com/User.ReadWrite.All" } };

        var error = Create(403, """{"error":{"code":"ErrorAccessDeniedForRole","message":""}}""", "PATCH", "bob@contoso.com", "p1", auth);

        Assert.Contains("The token has User.ReadWrite.All", error.Hint);
    }

    [Fact]
    public void NotFound_SaysWhetherTheUserOrThePositionIsMissing()
    {
        var user = Create(404, """{"error":{"code":"Request_ResourceNotFound","message":"Resource 'nobody@contoso.com' does not exist or one of its queried reference-property objects are not present."}}""", "GET", "nobody@contoso.com", "p1");
        Assert.Contains("The user 'nobody@contoso.com' was not found", user.Hint);

        var listing = Create(404, """{"error":{"code":"ResourceNotFound","message":"x"}}""", "GET", "ghost@contoso.com");
        Assert.Contains("The user 'ghost@contoso.com' was not found", listing.Hint);

        var position = Create(404, """{"error":{"code":"itemNotFound","message":"The item was not found."}}""", "DELETE", null, "p9");
        Assert.Contains("The position 'p9' was not found on the profile of 'me'", position.Hint);
    }

    [Fact]
    public void Throttled_SaysToWaitAndHowOftenItWasRetried()
    {
        var error = Create(429, """{"error":{"code":"TooManyRequests","message":"Please retry again later."}}""", headers: new Dictionary<string, string> { ["Retry-After"] = "315" }, retries: 3);

        Assert.Contains("retried 3 times", error.Hint);
        Assert.Contains("wait 315 seconds", error.Hint);
    }

    [Fact]
    public void AServerErrorSaysToTryLater()
    {
        // A create's unknown outcome gets its own message once it is reconciled (CreateReconcileTests).
        var error = Create(504, null, "POST");

        Assert.Equal("GatewayTimeout", error.Code);
        Assert.Contains("try again later", error.Hint);
    }

    [Theory]
    [InlineData("PATCH")]
    [InlineData("DELETE")]
    public void AServerErrorOnAnUpdateOrRemovalSaysItMayHaveRunAndIsSafeToSendAgain(string method)
    {
        var error = Create(503, null, method);

        Assert.Contains("may or may not have been applied", error.Hint);
        Assert.Contains("safe", error.Hint);
    }

    [Fact]
    public void InsufficientStorageOnAnUpdateSaysToTryLater()
    {
        var error = Create(507, null, "PATCH");

        Assert.Contains("try again later", error.Hint);
        Assert.DoesNotContain("may or may not", error.Hint);
    }

    [Fact]
    public void TheTokenNeverAppearsInAnError()
    {
        var token = TestTokens.Delegated();
        Redactor.Register(token);
        try
        {
            var error = Create(400, "{\"error\":{\"code\":\"BadRequest\",\"message\":\"echo: Bearer " + token + "\"}}");

            Assert.DoesNotContain(token, error.Message);
            Assert.DoesNotContain(token.Split('.')[2], error.Message);
            Assert.Contains("[redacted]", error.Message);
        }
        finally
        {
            Redactor.Clear();
        }
    }
}
