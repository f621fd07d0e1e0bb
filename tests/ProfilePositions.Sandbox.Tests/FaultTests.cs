using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>Rule-based fault injection: statuses, Retry-After forms, nth/times/probability, commit points, transport faults.</summary>
public sealed class FaultTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    private const string MyPositions = "beta/me/profile/positions";
    private const string HttpDate = "Wed, 21 Oct 2037 07:28:00 GMT";

    private static readonly Dictionary<int, string> CodeByStatus = new()
    {
        [429] = "TooManyRequests",
        [500] = "generalException",
        [502] = "badGateway",
        [503] = "serviceNotAvailable",
        [504] = "gatewayTimeout",
        [507] = "insufficientStorage",
    };

    public static TheoryData<int, string?> StatusAndRetryAfter()
    {
        var data = new TheoryData<int, string?>();
        foreach (var status in new[] { 429, 500, 502, 503, 504, 507 })
        {
            foreach (var retryAfter in new[] { "2", "2.128", HttpDate, null })
            {
                data.Add(status, retryAfter);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StatusAndRetryAfter))]
    public async Task Status_faults_answer_with_graph_errors_and_the_configured_retry_after(int status, string? retryAfter)
    {
        var token = await Sandbox.TokenAsync();
        var rule = new JsonObject { ["method"] = "GET", ["path"] = "^/me/profile/positions$", ["status"] = status, ["retryAfter"] = retryAfter };
        var added = await Sandbox.AddFaultsAsync(rule.ToJsonString());
        var ruleId = Assert.Single(added)!["id"]!.ToString();

        var response = await Sandbox.GetAsync(MyPositions, token);
        var error = GraphAssert.ODataError(response, status, CodeByStatus[status]);
        Assert.Equal(retryAfter, response.RawHeader("Retry-After"));
        if (status == 429)
        {
            Assert.Equal("429", error["innerError"]!["code"]!.GetValue<string>());
        }

        var journalEntry = (await Sandbox.JournalAsync()).Last(e => e!["path"]!.GetValue<string>().Contains("/profile/positions", StringComparison.Ordinal));
        Assert.Equal(status, journalEntry!["status"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(journalEntry["fault"]?.GetValue<string>()));

        // Removing the rule by id ends the fault.
        Assert.True((await Sandbox.SendAsync(HttpMethod.Delete, $"_sandbox/faults/{Uri.EscapeDataString(ruleId)}")).StatusCode is 200 or 204);
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
    }

    [Fact]
    public async Task Nth_with_times_one_fires_on_that_occurrence_only()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""{"method":"GET","status":503,"nth":2,"times":1}""");
        Assert.Equal([200, 503, 200, 200], await StatusesAsync(4, () => Sandbox.GetAsync(MyPositions, token)));
    }

    [Fact]
    public async Task Nth_counts_only_requests_matching_the_rule()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""{"method":"POST","status":500,"nth":2,"times":1}""");
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
        GraphAssert.Status(await Sandbox.PostJsonAsync(MyPositions, token, SandboxClient.PositionBody("1")), 201);
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(MyPositions, token, SandboxClient.PositionBody("2")), 500, "generalException");
        GraphAssert.Status(await Sandbox.PostJsonAsync(MyPositions, token, SandboxClient.PositionBody("3")), 201);
    }

    [Fact]
    public async Task Times_limits_how_often_a_rule_fires()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""{"method":"GET","status":502,"times":2}""");
        Assert.Equal([502, 502, 200, 200], await StatusesAsync(4, () => Sandbox.GetAsync(MyPositions, token)));
    }

    [Fact]
    public async Task Probability_zero_never_fires_and_one_always_fires()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""{"method":"GET","status":500,"probability":0}""");
        Assert.All(await StatusesAsync(10, () => Sandbox.GetAsync(MyPositions, token)), s => Assert.Equal(200, s));

        await Sandbox.ResetAsync();
        await Sandbox.AddFaultsAsync("""{"method":"GET","status":500,"probability":1}""");
        Assert.All(await StatusesAsync(10, () => Sandbox.GetAsync(MyPositions, token)), s => Assert.Equal(500, s));
    }

    [Fact]
    public async Task Probability_half_fires_on_some_requests_only()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""{"method":"GET","status":503,"probability":0.5}""");
        var statuses = await StatusesAsync(60, () => Sandbox.GetAsync(MyPositions, token));
        Assert.Contains(200, statuses);
        Assert.Contains(503, statuses);
        Assert.All(statuses, s => Assert.True(s is 200 or 503));
    }

    [Fact]
    public async Task Method_path_and_user_select_the_requests_a_rule_hits()
    {
        var adeleToken = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var meganToken = await Sandbox.TokenAsync(SandboxClient.MeganUpn);
        var megan = await Sandbox.UserAsync(SandboxClient.MeganUpn);

        await Sandbox.AddFaultsAsync("""{"method":"POST","status":500}""");
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, adeleToken), 200);
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(MyPositions, adeleToken, SandboxClient.PositionBody("x")), 500, "generalException");

        await Sandbox.ResetAsync();
        await Sandbox.AddFaultsAsync("""{"user":"megan.bowen@contoso.com","status":504}""");
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, adeleToken), 200);
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, meganToken), 504, "gatewayTimeout");

        await Sandbox.ResetAsync();
        await Sandbox.AddFaultsAsync(new JsonObject { ["user"] = megan.Id, ["status"] = 507 }.ToJsonString());
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, adeleToken), 200);
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, meganToken), 507, "insufficientStorage");

        await Sandbox.ResetAsync();
        var created = await Sandbox.CreatePositionAsync("me", adeleToken, SandboxClient.PositionBody("Item"));
        await Sandbox.AddFaultsAsync("""{"path":"/profile/positions/[^/]+$","status":503}""");
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, adeleToken), 200);
        GraphAssert.ODataError(await Sandbox.GetAsync($"{MyPositions}/{created["id"]}", adeleToken), 503, "serviceNotAvailable");
    }

    [Fact]
    public async Task First_matching_rule_wins()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""[{"method":"GET","status":503},{"method":"GET","status":500}]""");
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, token), 503, "serviceNotAvailable");
    }

    [Theory]
    [InlineData("POST", "before")]
    [InlineData("POST", "after")]
    [InlineData("PATCH", "before")]
    [InlineData("PATCH", "after")]
    [InlineData("DELETE", "before")]
    [InlineData("DELETE", "after")]
    public async Task Commit_point_decides_whether_the_write_happened(string method, string commit)
    {
        var token = await Sandbox.TokenAsync();
        var existing = await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody("Existing"));
        var item = $"{MyPositions}/{existing["id"]}";
        await Sandbox.AddFaultsAsync($$"""{"method":"{{method}}","status":503,"commit":"{{commit}}"}""");

        var response = method switch
        {
            "POST" => await Sandbox.PostJsonAsync(MyPositions, token, SandboxClient.PositionBody("New")),
            "PATCH" => await Sandbox.PatchJsonAsync(item, token, """{"detail":{"jobTitle":"Changed"}}"""),
            _ => await Sandbox.DeleteAsync(item, token),
        };
        GraphAssert.ODataError(response, 503, "serviceNotAvailable");

        var titles = (await AdelePositionsAsync()).Select(p => p!["detail"]!["jobTitle"]!.GetValue<string>()).ToList();
        var applied = commit == "after";
        string[] expected = (method, applied) switch
        {
            ("POST", true) => ["Existing", "New"],
            ("PATCH", true) => ["Changed"],
            ("DELETE", true) => [],
            _ => ["Existing"],
        };
        Assert.Equal(expected, titles);
    }

    [Theory]
    [InlineData("before", 0)]
    [InlineData("after", 1)]
    public async Task Hang_never_answers_until_the_client_gives_up(string commit, int expectedPositions)
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync($$"""{"method":"POST","transport":"hang","commit":"{{commit}}"}""");
        using var impatient = Sandbox.CreateHttpClient(TimeSpan.FromMilliseconds(800));
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => Sandbox.SendAsync(HttpMethod.Post, MyPositions, token, SandboxClient.PositionBody("Hung"), client: impatient));

        // The sandbox keeps serving other requests, and the commit point held.
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
        Assert.Equal(expectedPositions, (await AdelePositionsAsync()).Count);
    }

    [Theory]
    [InlineData("close")]
    [InlineData("reset")]
    [InlineData("halfBody")]
    public async Task Transport_faults_surface_as_client_exceptions(string transport)
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody("Listed"));

        // No "times": SocketsHttpHandler silently resends a request once when the connection ends before any
        // response byte (FIN), so a one-shot close would be invisible to the caller.
        await Sandbox.AddFaultsAsync($$"""{"method":"GET","path":"^/me/profile/positions$","transport":"{{transport}}"}""");
        using var client = Sandbox.CreateHttpClient(TimeSpan.FromSeconds(20));
        var exception = await Record.ExceptionAsync(() => Sandbox.SendAsync(HttpMethod.Get, MyPositions, token, client: client));
        Assert.True(exception is HttpRequestException or IOException, $"Unexpected exception: {exception}");

        var faulted = (await Sandbox.JournalAsync())
            .Where(e => e!["method"]!.GetValue<string>() == "GET" && e["path"]!.GetValue<string>().EndsWith("/profile/positions", StringComparison.OrdinalIgnoreCase))
            .ToList();
        Assert.NotEmpty(faulted);
        Assert.All(faulted, e => Assert.Contains(transport, e!["fault"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase));

        Assert.True((await Sandbox.SendAsync(HttpMethod.Delete, "_sandbox/faults")).StatusCode is 200 or 204);
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
    }

    [Fact]
    public async Task Close_after_commit_keeps_the_write()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""{"method":"POST","transport":"reset","commit":"after"}""");
        using var client = Sandbox.CreateHttpClient(TimeSpan.FromSeconds(20));
        var exception = await Record.ExceptionAsync(() => Sandbox.SendAsync(HttpMethod.Post, MyPositions, token, SandboxClient.PositionBody("Written"), client: client));
        Assert.True(exception is HttpRequestException or IOException, $"Unexpected exception: {exception}");
        Assert.Equal("Written", Assert.Single(await AdelePositionsAsync())!["detail"]!["jobTitle"]!.GetValue<string>());
    }

    [Fact]
    public async Task Latency_rule_delays_the_answer_past_a_short_client_timeout()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""{"method":"GET","path":"^/me/profile/positions$","latencyMs":1500}""");
        using var impatient = Sandbox.CreateHttpClient(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<TaskCanceledException>(() => Sandbox.SendAsync(HttpMethod.Get, MyPositions, token, client: impatient));

        // A patient client gets the normal answer: latency alone is not an error.
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, token), 200);
    }

    [Fact]
    public async Task Fault_rules_can_be_listed_added_and_removed()
    {
        var added = await Sandbox.AddFaultsAsync("""[{"method":"GET","status":500},{"method":"POST","status":503,"retryAfter":"1"}]""");
        Assert.Equal(2, added.Count);
        var ids = added.Select(r => r!["id"]!.ToString()).ToList();
        Assert.Equal(2, ids.Distinct().Count());

        var listed = await Sandbox.GetAsync("_sandbox/faults");
        GraphAssert.Status(listed, 200);
        Assert.Equal(ids, listed.Json!.AsArray().Select(r => r!["id"]!.ToString()));
        Assert.Equal(503, listed.Json!.AsArray()[1]!["status"]!.GetValue<int>());

        Assert.True((await Sandbox.SendAsync(HttpMethod.Delete, $"_sandbox/faults/{ids[0]}")).StatusCode is 200 or 204);
        Assert.Equal([ids[1]], (await Sandbox.GetAsync("_sandbox/faults")).Json!.AsArray().Select(r => r!["id"]!.ToString()));

        Assert.True((await Sandbox.SendAsync(HttpMethod.Delete, "_sandbox/faults")).StatusCode is 200 or 204);
        Assert.Empty((await Sandbox.GetAsync("_sandbox/faults")).Json!.AsArray());

        await Sandbox.AddFaultsAsync("""{"status":500}""");
        await Sandbox.ResetAsync();
        Assert.Empty((await Sandbox.GetAsync("_sandbox/faults")).Json!.AsArray());
    }

    [Fact]
    public async Task Penalty_mode_counts_requests_inside_an_advertised_retry_after()
    {
        var adeleToken = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var meganToken = await Sandbox.TokenAsync(SandboxClient.MeganUpn);
        await Sandbox.SetPenaltyAsync(true);
        await Sandbox.AddFaultsAsync("""{"method":"GET","user":"adele.vance@contoso.com","status":429,"retryAfter":"30","times":1}""");

        var first = await Sandbox.GetAsync(MyPositions, adeleToken);
        GraphAssert.ODataError(first, 429, "TooManyRequests");
        Assert.Equal(0, (await Sandbox.HealthAsync())["violations"]!.GetValue<int>());

        // Too early: throttled again, counted as a violation.
        GraphAssert.ODataError(await Sandbox.GetAsync(MyPositions, adeleToken), 429, "TooManyRequests");
        Assert.Equal(1, (await Sandbox.HealthAsync())["violations"]!.GetValue<int>());
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(MyPositions, adeleToken, SandboxClient.PositionBody("Early")), 429, "TooManyRequests");
        Assert.Equal(2, (await Sandbox.HealthAsync())["violations"]!.GetValue<int>());
        Assert.Empty(await AdelePositionsAsync());

        // Penalties are per user.
        GraphAssert.Status(await Sandbox.GetAsync(MyPositions, meganToken), 200);
        Assert.Equal(2, (await Sandbox.HealthAsync())["violations"]!.GetValue<int>());

        await Sandbox.ResetAsync();
        Assert.Equal(0, (await Sandbox.HealthAsync())["violations"]!.GetValue<int>());
    }

    [Fact]
    public async Task Without_penalty_mode_early_requests_are_served()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.AddFaultsAsync("""{"method":"GET","status":429,"retryAfter":"30","times":1}""");
        Assert.Equal([429, 200], await StatusesAsync(2, () => Sandbox.GetAsync(MyPositions, token)));
        Assert.Equal(0, (await Sandbox.HealthAsync())["violations"]!.GetValue<int>());
    }

    [Fact]
    public async Task Journal_records_client_request_id_retry_attempt_and_body()
    {
        var token = await Sandbox.TokenAsync();
        await Sandbox.ClearJournalAsync();
        var clientRequestId = Guid.NewGuid().ToString();
        var body = SandboxClient.PositionBody("Journaled");
        var response = await Sandbox.SendAsync(HttpMethod.Post, MyPositions, token, body, headers: new Dictionary<string, string>
        {
            ["client-request-id"] = clientRequestId,
            ["Retry-Attempt"] = "2",
        });
        GraphAssert.Status(response, 201);

        var entry = (await Sandbox.JournalAsync()).Single(e => e!["method"]!.GetValue<string>() == "POST");
        Assert.Equal(clientRequestId, entry!["clientRequestId"]!.GetValue<string>());
        Assert.Equal("2", entry["retryAttempt"]!.ToString());
        Assert.Equal(201, entry["status"]!.GetValue<int>());
        Assert.Null(entry["fault"]);
        Assert.Null(entry["batchId"]);
        GraphAssert.JsonEqual(JsonNode.Parse(body), JsonNode.Parse(entry["body"]!.GetValue<string>()));
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var user = entry["user"]!.ToString();
        Assert.True(
            user.Contains(adele.UserPrincipalName, StringComparison.OrdinalIgnoreCase) || user.Contains(adele.Id, StringComparison.OrdinalIgnoreCase),
            $"journal user '{user}' names neither Adele's UPN nor her id");

        Assert.True((await Sandbox.SendAsync(HttpMethod.Delete, "_sandbox/requests")).StatusCode is 200 or 204);
        Assert.DoesNotContain(await Sandbox.JournalAsync(), e => e!["method"]!.GetValue<string>() == "POST");
    }

    private async Task<List<int>> StatusesAsync(int count, Func<Task<SandboxResponse>> send)
    {
        var statuses = new List<int>();
        for (var i = 0; i < count; i++)
        {
            statuses.Add((await send()).StatusCode);
        }

        return statuses;
    }

    private async Task<JsonArray> AdelePositionsAsync()
    {
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        return (await Sandbox.StateAsync())["positions"]?[adele.Id]?.AsArray() ?? [];
    }
}
