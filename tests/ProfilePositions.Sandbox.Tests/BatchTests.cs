using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>POST /beta/$batch: limits, ids, relative urls, dependsOn/424, per-item auth, validation and faults.</summary>
public sealed class BatchTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    internal const string BatchPath = "beta/$batch";

    internal static JsonObject CreateItem(string id, string jobTitle, string url = "/me/profile/positions") => new()
    {
        ["id"] = id,
        ["method"] = "POST",
        ["url"] = url,
        ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
        ["body"] = JsonNode.Parse(SandboxClient.PositionBody(jobTitle)),
    };

    internal static JsonObject GetItem(string id, string url) => new() { ["id"] = id, ["method"] = "GET", ["url"] = url };

    internal static string Envelope(params JsonObject[] items) => new JsonObject { ["requests"] = new JsonArray(items) }.ToJsonString();

    internal static Dictionary<string, JsonObject> ById(SandboxResponse response) =>
        response.Object["responses"]!.AsArray().ToDictionary(r => r!["id"]!.GetValue<string>(), r => r!.AsObject(), StringComparer.OrdinalIgnoreCase);

    [Fact]
    public async Task Items_run_through_the_graph_handlers_and_answer_by_id()
    {
        var megan = await Sandbox.UserAsync(SandboxClient.MeganUpn);
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All");
        var envelope = Envelope(
            CreateItem("1", "Batch one"),
            CreateItem("2", "Batch two", $"users/{megan.Id}/profile/positions"),
            CreateItem("3", "Batch three", "/users('$svc.positions@contoso.com')/profile/positions"),
            AddDependsOn(GetItem("4", "/me/profile/positions?$select=detail"), "1"));

        var response = await Sandbox.PostJsonAsync(BatchPath, token, envelope);
        GraphAssert.Status(response, 200);
        var items = ById(response);
        Assert.Equal(4, items.Count);
        Assert.Equal(201, items["1"]["status"]!.GetValue<int>());
        Assert.Equal(201, items["2"]["status"]!.GetValue<int>());
        Assert.Equal(201, items["3"]["status"]!.GetValue<int>());
        Assert.Equal(200, items["4"]["status"]!.GetValue<int>());
        Assert.Equal("Batch one", items["1"]["body"]!["detail"]!["jobTitle"]!.GetValue<string>());
        Assert.Equal("Batch one", Assert.Single(items["4"]["body"]!["value"]!.AsArray())!["detail"]!["jobTitle"]!.GetValue<string>());
        Assert.NotNull(items["1"]["headers"]);

        var state = await Sandbox.StateAsync();
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var svc = await Sandbox.UserAsync(SandboxClient.DollarUpn);
        Assert.Equal(items["1"]["body"]!["id"]!.GetValue<string>(), Assert.Single(state["positions"]![adele.Id]!.AsArray())!["id"]!.GetValue<string>());
        Assert.Single(state["positions"]![megan.Id]!.AsArray());
        Assert.Single(state["positions"]![svc.Id]!.AsArray());

        // Journal: one entry per item carrying the envelope's seq and the item id.
        var journal = await Sandbox.JournalAsync();
        var envelopeEntry = journal.Last(e => e!["path"]!.GetValue<string>().EndsWith("$batch", StringComparison.OrdinalIgnoreCase));
        var itemEntries = journal.Where(e => e!["batchItemId"] is JsonValue).ToList();
        Assert.Equal(["1", "2", "3", "4"], itemEntries.Select(e => e!["batchItemId"]!.GetValue<string>()).Order());
        Assert.All(itemEntries, e => Assert.Equal(envelopeEntry!["seq"]!.GetValue<long>(), e!["batchId"]!.GetValue<long>()));
    }

    [Fact]
    public async Task Twenty_items_are_accepted_and_twenty_one_are_not()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var twenty = Envelope(Enumerable.Range(1, 20).Select(i => CreateItem(i.ToString(), $"P{i}")).ToArray());
        var ok = await Sandbox.PostJsonAsync(BatchPath, token, twenty);
        GraphAssert.Status(ok, 200);
        Assert.Equal(20, ById(ok).Count);
        Assert.All(ById(ok).Values, item => Assert.Equal(201, item["status"]!.GetValue<int>()));

        var before = await Sandbox.StateAsync();
        var twentyOne = Envelope(Enumerable.Range(1, 21).Select(i => CreateItem(i.ToString(), $"Q{i}")).ToArray());
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(BatchPath, token, twentyOne), 400, "BadRequest");
        GraphAssert.JsonEqual(before, await Sandbox.StateAsync());
    }

    [Fact]
    public async Task Duplicate_ids_differing_only_in_case_fail_the_batch()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var response = await Sandbox.PostJsonAsync(BatchPath, token, Envelope(CreateItem("a", "A"), CreateItem("A", "B")));
        GraphAssert.ODataError(response, 400, "BadRequest");
        Assert.Empty(await PositionsOfAsync(SandboxClient.AdeleUpn));
    }

    [Fact]
    public async Task Urls_with_or_without_leading_slash_work_and_absolute_urls_do_not()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var response = await Sandbox.PostJsonAsync(BatchPath, token, Envelope(CreateItem("1", "Slash", "/me/profile/positions"), CreateItem("2", "No slash", "me/profile/positions")));
        GraphAssert.Status(response, 200);
        Assert.All(ById(response).Values, item => Assert.Equal(201, item["status"]!.GetValue<int>()));

        var absolute = Envelope(CreateItem("1", "Absolute", "https://graph.microsoft.com/beta/me/profile/positions"));
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(BatchPath, token, absolute), 400, "BadRequest");
        Assert.Equal(2, (await PositionsOfAsync(SandboxClient.AdeleUpn)).Count);
    }

    [Fact]
    public async Task Depends_on_a_failed_item_gives_424_down_the_chain_and_runs_nothing()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var envelope = Envelope(
            GetItem("1", $"/me/profile/positions/{Guid.NewGuid()}"),
            AddDependsOn(CreateItem("2", "Never"), "1"),
            AddDependsOn(CreateItem("3", "Never either"), "2"),
            CreateItem("4", "Independent"));
        var response = await Sandbox.PostJsonAsync(BatchPath, token, envelope);
        GraphAssert.Status(response, 200);
        var items = ById(response);
        GraphAssert.ItemError(items["1"], 404, "itemNotFound");
        Assert.Equal(424, items["2"]["status"]!.GetValue<int>());
        Assert.Equal(424, items["3"]["status"]!.GetValue<int>());
        Assert.Equal(201, items["4"]["status"]!.GetValue<int>());
        var stored = await PositionsOfAsync(SandboxClient.AdeleUpn);
        Assert.Equal("Independent", Assert.Single(stored)!["detail"]!["jobTitle"]!.GetValue<string>());
    }

    [Fact]
    public async Task Depends_on_a_successful_item_runs_after_it()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var envelope = Envelope(
            CreateItem("first", "First"),
            AddDependsOn(CreateItem("second", "Second"), "first"),
            AddDependsOn(GetItem("list", "/me/profile/positions"), "second"));
        var items = ById(await Sandbox.PostJsonAsync(BatchPath, token, envelope));
        Assert.Equal(["First", "Second"], items["list"]["body"]!["value"]!.AsArray().Select(p => p!["detail"]!["jobTitle"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Each_item_is_authorised_with_the_envelope_token()
    {
        var reader = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.Read");
        var response = await Sandbox.PostJsonAsync(BatchPath, reader, Envelope(CreateItem("w", "Denied"), GetItem("r", "/me/profile/positions"), GetItem("o", "/users/megan.bowen@contoso.com/profile/positions")));
        GraphAssert.Status(response, 200);
        var items = ById(response);
        GraphAssert.ItemError(items["w"], 403, "Authorization_RequestDenied");
        Assert.Equal(200, items["r"]["status"]!.GetValue<int>());
        GraphAssert.ItemError(items["o"], 403, "Authorization_RequestDenied");
        Assert.Empty(await PositionsOfAsync(SandboxClient.AdeleUpn));

        var app = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All", app: true);
        var appItems = ById(await Sandbox.PostJsonAsync(BatchPath, app, Envelope(GetItem("1", "/users/megan.bowen@contoso.com/profile/positions"))));
        GraphAssert.ItemError(appItems["1"], 403, "Authorization_RequestDenied");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("garbled.token.value")]
    public async Task Envelope_without_a_valid_token_fails_every_item_with_401(string? token)
    {
        var response = await Sandbox.PostJsonAsync(BatchPath, token, Envelope(CreateItem("1", "One"), GetItem("2", "/me/profile/positions")));
        GraphAssert.Status(response, 200);
        Assert.All(ById(response).Values, item => GraphAssert.ItemError(item, 401, "InvalidAuthenticationToken"));
        Assert.Equal(0, (await Sandbox.HealthAsync())["positions"]!.GetValue<int>());
    }

    [Fact]
    public async Task Each_item_is_validated_on_its_own()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All");
        var bad = CreateItem("bad", "Bad");
        bad["body"]!["isCurrent"] = "yes";
        var unknownUser = CreateItem("nouser", "Nobody", "/users/nobody@contoso.com/profile/positions");
        var dollar = GetItem("dollar", "/users/$svc.positions@contoso.com/profile/positions");
        var response = await Sandbox.PostJsonAsync(BatchPath, token, Envelope(bad, CreateItem("good", "Good"), unknownUser, dollar));
        GraphAssert.Status(response, 200);
        var items = ById(response);
        GraphAssert.ItemError(items["bad"], 400, "BadRequest");
        Assert.Equal(201, items["good"]["status"]!.GetValue<int>());
        GraphAssert.ItemError(items["nouser"], 404, "Request_ResourceNotFound");
        GraphAssert.ItemError(items["dollar"], 400, "BadRequest");
        Assert.Equal("Good", Assert.Single(await PositionsOfAsync(SandboxClient.AdeleUpn))!["detail"]!["jobTitle"]!.GetValue<string>());
    }

    [Fact]
    public async Task Batch_item_faults_hit_items_and_carry_retry_after_in_item_headers()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        await Sandbox.AddFaultsAsync("""{"target":"batchItem","method":"POST","status":429,"retryAfter":"7","nth":2,"times":1}""");
        var response = await Sandbox.PostJsonAsync(BatchPath, token, Envelope(CreateItem("1", "One"), CreateItem("2", "Two"), CreateItem("3", "Three")));
        GraphAssert.Status(response, 200);
        var items = ById(response);
        Assert.Equal(201, items["1"]["status"]!.GetValue<int>());
        GraphAssert.ItemError(items["2"], 429, "TooManyRequests");
        Assert.Equal("7", HeaderValue(items["2"], "Retry-After"));
        Assert.Equal(201, items["3"]["status"]!.GetValue<int>());
        Assert.Equal(["One", "Three"], (await PositionsOfAsync(SandboxClient.AdeleUpn)).Select(p => p!["detail"]!["jobTitle"]!.GetValue<string>()));

        var journal = await Sandbox.JournalAsync();
        var faulted = Assert.Single(journal, e => e!["fault"] is JsonValue);
        Assert.Equal("2", faulted!["batchItemId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Request_target_rules_skip_batch_items_and_item_rules_skip_plain_requests()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        await Sandbox.AddFaultsAsync("""{"target":"request","status":503}""");
        var items = ById(await Sandbox.PostJsonAsync(BatchPath, token, Envelope(CreateItem("1", "Through"))));
        Assert.Equal(201, items["1"]["status"]!.GetValue<int>());
        GraphAssert.ODataError(await Sandbox.GetAsync("beta/me/profile/positions", token), 503, "serviceNotAvailable");

        await Sandbox.ResetAsync();
        await Sandbox.AddFaultsAsync("""{"target":"batchItem","status":503}""");
        GraphAssert.Status(await Sandbox.GetAsync("beta/me/profile/positions", token), 200);
        GraphAssert.ItemError(ById(await Sandbox.PostJsonAsync(BatchPath, token, Envelope(CreateItem("1", "Faulted"))))["1"], 503, "serviceNotAvailable");

        // Without a target ("any") a rule hits plain requests and batch items, but not the envelope.
        await Sandbox.ResetAsync();
        await Sandbox.AddFaultsAsync("""{"path":"^/me/profile/positions$","status":502}""");
        GraphAssert.ODataError(await Sandbox.GetAsync("beta/me/profile/positions", token), 502, "badGateway");
        var anyResponse = await Sandbox.PostJsonAsync(BatchPath, token, Envelope(GetItem("1", "/me/profile/positions")));
        GraphAssert.Status(anyResponse, 200);
        GraphAssert.ItemError(ById(anyResponse)["1"], 502, "badGateway");
    }

    [Theory]
    [InlineData("before", 0)]
    [InlineData("after", 2)]
    public async Task Envelope_faults_apply_to_the_whole_batch_at_the_commit_point(string commit, int expectedPositions)
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        await Sandbox.AddFaultsAsync($$"""{"target":"envelope","status":503,"retryAfter":"4","commit":"{{commit}}"}""");
        var response = await Sandbox.PostJsonAsync(BatchPath, token, Envelope(CreateItem("1", "One"), CreateItem("2", "Two")));
        GraphAssert.ODataError(response, 503, "serviceNotAvailable");
        Assert.Equal("4", response.RawHeader("Retry-After"));
        Assert.Equal(expectedPositions, (await PositionsOfAsync(SandboxClient.AdeleUpn)).Count);
    }

    [Fact]
    public async Task Envelope_rules_do_not_touch_plain_requests()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        await Sandbox.AddFaultsAsync("""{"target":"envelope","status":500}""");
        GraphAssert.Status(await Sandbox.GetAsync("beta/me/profile/positions", token), 200);
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(BatchPath, token, Envelope(GetItem("1", "/me/profile/positions"))), 500, "generalException");
    }

    [Fact]
    public async Task Without_shuffle_responses_keep_request_order()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var ids = Enumerable.Range(1, 10).Select(i => $"i{i}").ToArray();
        var response = await Sandbox.PostJsonAsync(BatchPath, token, Envelope(ids.Select(id => GetItem(id, "/me/profile/positions")).ToArray()));
        Assert.Equal(ids, response.Object["responses"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()));
    }

    internal static JsonObject AddDependsOn(JsonObject item, params string[] ids)
    {
        item["dependsOn"] = new JsonArray(ids.Select(id => (JsonNode)id).ToArray());
        return item;
    }

    internal static string? HeaderValue(JsonObject item, string name) =>
        item["headers"]?.AsObject().FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.ToString();

    private async Task<JsonArray> PositionsOfAsync(string upn)
    {
        var user = await Sandbox.UserAsync(upn);
        var state = await Sandbox.StateAsync();
        return state["positions"]?[user.Id]?.AsArray() ?? [];
    }
}

/// <summary>--shuffle-batch: responses come back in a seeded permutation, so clients must correlate by id.</summary>
public sealed class ShuffledBatchTests(ShuffleBatchSandboxFixture fixture)
    : SandboxTestBase<ShuffleBatchSandboxFixture>(fixture), IClassFixture<ShuffleBatchSandboxFixture>
{
    [Fact]
    public async Task Responses_are_a_permutation_correlated_by_id()
    {
        var token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var ids = Enumerable.Range(1, 20).Select(i => $"item-{i}").ToArray();
        var envelope = BatchTests.Envelope(ids.Select(id => BatchTests.CreateItem(id, "Title " + id)).ToArray());
        var response = await Sandbox.PostJsonAsync(BatchTests.BatchPath, token, envelope);
        GraphAssert.Status(response, 200);
        var order = response.Object["responses"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(ids.Order(), order.Order());
        Assert.NotEqual(ids, order);
        foreach (var item in response.Object["responses"]!.AsArray())
        {
            Assert.Equal(201, item!["status"]!.GetValue<int>());
            Assert.Equal("Title " + item["id"]!.GetValue<string>(), item["body"]!["detail"]!["jobTitle"]!.GetValue<string>());
        }

        // Items still execute in array order: the stored positions follow the request order.
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var stored = (await Sandbox.StateAsync())["positions"]![adele.Id]!.AsArray();
        Assert.Equal(ids.Select(id => "Title " + id), stored.Select(p => p!["detail"]!["jobTitle"]!.GetValue<string>()));
    }
}
