using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>request-id and client-request-id on every reply: successes, errors, batches and admin routes.</summary>
public sealed class HeaderTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    public static TheoryData<string, string, string, string?, int> Requests => new()
    {
        // { method, path, token kind (none | rw), body, expected status }
        { "GET", "_sandbox/health", "none", null, 200 },
        { "GET", "_sandbox/users", "none", null, 200 },
        { "GET", "_sandbox/state", "none", null, 200 },
        { "GET", "_sandbox/token?user=adele.vance%40contoso.com", "none", null, 200 },
        { "GET", "_sandbox/token?user=nobody%40contoso.com", "none", null, 404 },
        { "GET", "_sandbox/faults", "none", null, 200 },
        { "GET", "_sandbox/requests", "none", null, 200 },
        { "GET", "beta/me/profile/positions", "rw", null, 200 },
        { "POST", "beta/me/profile/positions", "rw", SandboxClient.PositionBody("Headers"), 201 },
        { "POST", "beta/me/profile/positions", "rw", "{", 400 },
        { "GET", "beta/me/profile/positions", "none", null, 401 },
        { "GET", "beta/users/megan.bowen@contoso.com/profile/positions", "rw", null, 403 },
        { "GET", "beta/me/profile/positions/nope", "rw", null, 404 },
        { "GET", "beta/nowhere", "rw", null, 404 },
        { "GET", "v1.0/me/profile/positions", "rw", null, 400 },
        { "DELETE", "beta/me/profile/positions", "rw", null, 405 },
        { "POST", "beta/$batch", "rw", BatchTests.Envelope(BatchTests.GetItem("1", "/me/profile/positions")), 200 },
        { "POST", "beta/$batch", "rw", "{}", 400 },
    };

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task Every_reply_echoes_client_request_id_and_has_a_fresh_request_id(string method, string path, string tokenKind, string? body, int status)
    {
        var token = tokenKind == "rw" ? await Sandbox.TokenAsync() : null;
        var clientRequestId = Guid.NewGuid().ToString();

        var echoed = await Sandbox.SendAsync(new HttpMethod(method), path, token, body, headers: new Dictionary<string, string> { ["client-request-id"] = clientRequestId });
        GraphAssert.Status(echoed, status);
        Assert.True(Guid.TryParse(echoed.RawHeader("request-id"), out _), $"request-id missing or not a GUID: {echoed.RawHeader("request-id")}");
        Assert.Equal(clientRequestId, echoed.RawHeader("client-request-id"));

        var generated = await Sandbox.SendAsync(new HttpMethod(method), path, token, body);
        var requestId = generated.RawHeader("request-id");
        Assert.True(Guid.TryParse(requestId, out _));
        Assert.Equal(requestId, generated.RawHeader("client-request-id"));
        Assert.NotEqual(echoed.RawHeader("request-id"), requestId);

        if (status >= 400)
        {
            GraphAssert.ODataError(generated, status, null);
        }
    }

    [Fact]
    public async Task Json_replies_say_so()
    {
        var response = await Sandbox.GetAsync("beta/me/profile/positions", await Sandbox.TokenAsync());
        Assert.Equal("application/json", response.ContentHeaders.ContentType?.MediaType);
        var error = await Sandbox.GetAsync("beta/me/profile/positions");
        Assert.Equal("application/json", error.ContentHeaders.ContentType?.MediaType);
    }

    [Fact]
    public async Task Batch_items_carry_their_own_request_ids()
    {
        var token = await Sandbox.TokenAsync();
        var response = await Sandbox.PostJsonAsync("beta/$batch", token, BatchTests.Envelope(BatchTests.GetItem("1", "/me/profile/positions/none"), BatchTests.CreateItem("2", "x")));
        var items = BatchTests.ById(response);
        var error = GraphAssert.ItemError(items["1"], 404, "itemNotFound");
        Assert.True(Guid.TryParse(error["innerError"]!["request-id"]!.GetValue<string>(), out _));
        Assert.NotEqual(response.RawHeader("request-id"), error["innerError"]!["request-id"]!.GetValue<string>());
    }
}
