using System.Text;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>
/// Malformed bodies, paths, tokens and batch envelopes: each gets the right status and OData error and
/// leaves the state exactly as it was.
/// </summary>
public sealed class MalformedRequestTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    private const string Json = "application/json";

    /// <param name="Token">rw | all | read | none | garbled | forged | expired | audience | app | basic</param>
    /// <param name="Path">relative path; <c>{id}</c> is an existing position of Adele.</param>
    public sealed record Case(string Method, string Path, string Token, string? Body, string? ContentType, int Status, string? Code, string? MessageContains = null);

    private const string Me = "beta/me/profile/positions";
    private const string Item = "beta/me/profile/positions/{id}";
    private const string Batch = "beta/$batch";

    private static string BatchOf(params JsonObject[] items) => BatchTests.Envelope(items);

    private static JsonObject Create(string id, string url = "/me/profile/positions") => BatchTests.CreateItem(id, "Batched " + id, url);

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // ---- bodies ----
        ["body: not JSON"] = new("POST", Me, "rw", "{", Json, 400, "BadRequest"),
        ["body: truncated JSON"] = new("POST", Me, "rw", """{"isCurrent":true""", Json, 400, "BadRequest"),
        ["body: array"] = new("POST", Me, "rw", "[]", Json, 400, "BadRequest"),
        ["body: string"] = new("POST", Me, "rw", "\"text\"", Json, 400, "BadRequest"),
        ["body: empty"] = new("POST", Me, "rw", "", Json, 400, "BadRequest"),
        ["body: isCurrent string"] = new("POST", Me, "rw", """{"isCurrent":"yes"}""", Json, 400, "BadRequest", "isCurrent"),
        ["body: detail string"] = new("POST", Me, "rw", """{"detail":"x"}""", Json, 400, "BadRequest", "detail"),
        ["body: categories string"] = new("POST", Me, "rw", """{"categories":"a"}""", Json, 400, "BadRequest", "categories"),
        ["body: categories numbers"] = new("POST", Me, "rw", """{"categories":[1,2]}""", Json, 400, "BadRequest", "categories"),
        ["body: layer string"] = new("POST", Me, "rw", """{"detail":{"layer":"three"}}""", Json, 400, "BadRequest", "layer"),
        ["body: jobTitle number"] = new("POST", Me, "rw", """{"detail":{"jobTitle":42}}""", Json, 400, "BadRequest", "jobTitle"),
        ["body: audience unknown"] = new("POST", Me, "rw", """{"allowedAudiences":"friends"}""", Json, 400, "BadRequest", "allowedAudiences"),
        ["body: audience numeric"] = new("POST", Me, "rw", """{"allowedAudiences":"8"}""", Json, 400, "BadRequest", "allowedAudiences"),
        ["body: audience trailing comma"] = new("POST", Me, "rw", """{"allowedAudiences":"organization,"}""", Json, 400, "BadRequest", "allowedAudiences"),
        ["body: audience wrong case"] = new("POST", Me, "rw", """{"allowedAudiences":"Organization"}""", Json, 400, "BadRequest", "allowedAudiences"),
        ["body: company name null"] = new("POST", Me, "rw", """{"detail":{"company":{"displayName":null,"department":"D"}}}""", Json, 400, "BadRequest", "Nullable=False"),
        ["body: source id null"] = new("POST", Me, "rw", """{"sources":[{"sourceId":null,"isDefaultSource":true}]}""", Json, 400, "BadRequest", "sourceId"),
        ["patch: company name null"] = new("PATCH", Item, "rw", """{"detail":{"company":{"displayName":null}}}""", Json, 400, "BadRequest", "displayName"),
        ["body: five-digit year with leading zero"] = new("POST", Me, "rw", """{"detail":{"startMonthYear":"01999-01-01"}}""", Json, 400, "BadRequest", "startMonthYear"),
        ["body: 30 February"] = new("POST", Me, "rw", """{"detail":{"startMonthYear":"2020-02-30"}}""", Json, 400, "BadRequest", "startMonthYear"),
        ["body: 29 February of 1900"] = new("POST", Me, "rw", """{"detail":{"endMonthYear":"1900-02-29"}}""", Json, 400, "BadRequest", "endMonthYear"),
        ["body: three-digit year"] = new("POST", Me, "rw", """{"detail":{"startMonthYear":"999-01-01"}}""", Json, 400, "BadRequest", "startMonthYear"),
        ["body: source type number"] = new("POST", Me, "rw", """{"source":{"type":7}}""", Json, 400, "BadRequest", "source"),
        ["body: audience combo with unknown"] = new("POST", Me, "rw", """{"allowedAudiences":"organization,friends"}""", Json, 400, "BadRequest", "allowedAudiences"),
        ["body: month 13"] = new("POST", Me, "rw", """{"detail":{"startMonthYear":"2020-13-01"}}""", Json, 400, "BadRequest", "startMonthYear"),
        ["body: doc placeholder date"] = new("POST", Me, "rw", """{"detail":{"endMonthYear":"datetime-value"}}""", Json, 400, "BadRequest", "endMonthYear"),
        ["body: year-month only"] = new("POST", Me, "rw", """{"detail":{"startMonthYear":"2020-01"}}""", Json, 400, "BadRequest", "startMonthYear"),
        ["body: date-time instead of date"] = new("POST", Me, "rw", """{"detail":{"startMonthYear":"2020-01-01T00:00:00Z"}}""", Json, 400, "BadRequest", "startMonthYear"),
        ["body: address type"] = new("POST", Me, "rw", """{"detail":{"company":{"displayName":"C","address":{"type":"castle"}}}}""", Json, 400, "BadRequest", "type"),
        ["body: manager relationship"] = new("POST", Me, "rw", """{"manager":{"displayName":"B","relationship":"boss"}}""", Json, 400, "BadRequest", "relationship"),
        ["body: colleague relationship"] = new("POST", Me, "rw", """{"colleagues":[{"displayName":"N","relationship":"neighbour"}]}""", Json, 400, "BadRequest", "relationship"),
        ["body: unknown member"] = new("POST", Me, "rw", """{"favouriteColour":"blue"}""", Json, 400, "BadRequest", "favouriteColour"),
        ["body: unknown nested member"] = new("POST", Me, "rw", """{"detail":{"shoeSize":42}}""", Json, 400, "BadRequest", "shoeSize"),
        ["body: text/plain"] = new("POST", Me, "rw", SandboxClient.PositionBody("Plain"), "text/plain", 415, null),
        ["body: no content type"] = new("POST", Me, "rw", SandboxClient.PositionBody("Bare"), null, 415, null),
        ["patch: isCurrent number"] = new("PATCH", Item, "rw", """{"isCurrent":1}""", Json, 400, "BadRequest", "isCurrent"),
        ["patch: not JSON"] = new("PATCH", Item, "rw", "{", Json, 400, "BadRequest"),
        ["patch: no content type"] = new("PATCH", Item, "rw", """{"isCurrent":false}""", null, 415, null),
        ["patch: two-digit year"] = new("PATCH", Item, "rw", """{"detail":{"endMonthYear":"21-02-01"}}""", Json, 400, "BadRequest", "endMonthYear"),
        ["patch: unknown id"] = new("PATCH", "beta/me/profile/positions/00000000-0000-0000-0000-000000000000", "rw", """{"isCurrent":false}""", Json, 404, "itemNotFound"),
        ["delete: unknown id"] = new("DELETE", "beta/me/profile/positions/00000000-0000-0000-0000-000000000000", "rw", null, null, 404, "itemNotFound"),
        ["get: unknown id"] = new("GET", "beta/me/profile/positions/not-an-id", "rw", null, null, 404, "itemNotFound"),

        // ---- paths ----
        ["path: unknown user"] = new("GET", "beta/users/nobody@contoso.com/profile/positions", "all", null, null, 404, "Request_ResourceNotFound", "nobody@contoso.com"),
        ["path: create for unknown user"] = new("POST", "beta/users/nobody@contoso.com/profile/positions", "all", SandboxClient.PositionBody("Ghost"), Json, 404, "Request_ResourceNotFound"),
        ["path: unknown user key form"] = new("GET", "beta/users('nobody@contoso.com')/profile/positions", "all", null, null, 404, "Request_ResourceNotFound"),
        ["path: patch for unknown user"] = new("PATCH", "beta/users/nobody@contoso.com/profile/positions/{id}", "all", """{"isCurrent":false}""", Json, 404, "Request_ResourceNotFound"),
        ["path: dollar upn plain"] = new("GET", "beta/users/$svc.positions@contoso.com/profile/positions", "all", null, null, 400, "BadRequest"),
        ["path: dollar upn encoded"] = new("POST", "beta/users/%24svc.positions@contoso.com/profile/positions", "all", SandboxClient.PositionBody("Svc"), Json, 400, "BadRequest"),
        ["path: unknown segment"] = new("GET", "beta/me/profile/widgets", "rw", null, null, 404, null, "Invalid request"),
        ["path: below an item"] = new("GET", "beta/me/profile/positions/{id}/extra", "rw", null, null, 404, null, "Invalid request"),
        ["path: v1.0 list"] = new("GET", "v1.0/me/profile/positions", "rw", null, null, 400, "BadRequest", "beta"),
        ["path: v1.0 create"] = new("POST", "v1.0/me/profile/positions", "rw", SandboxClient.PositionBody("V1"), Json, 400, "BadRequest", "beta"),
        ["method: PUT item"] = new("PUT", Item, "rw", SandboxClient.PositionBody("Put"), Json, 405, "Request_BadRequest"),
        ["method: DELETE collection"] = new("DELETE", Me, "rw", null, null, 405, "Request_BadRequest"),
        ["method: POST item"] = new("POST", Item, "rw", SandboxClient.PositionBody("Post"), Json, 405, "Request_BadRequest"),
        ["method: PATCH collection"] = new("PATCH", Me, "rw", """{"isCurrent":false}""", Json, 405, "Request_BadRequest"),

        // ---- tokens ----
        ["token: missing"] = new("POST", Me, "none", SandboxClient.PositionBody("T"), Json, 401, "InvalidAuthenticationToken", "Access token is empty."),
        ["token: garbled"] = new("POST", Me, "garbled", SandboxClient.PositionBody("T"), Json, 401, "InvalidAuthenticationToken"),
        ["token: forged"] = new("PATCH", Item, "forged", """{"isCurrent":false}""", Json, 401, "InvalidAuthenticationToken"),
        ["token: expired"] = new("DELETE", Item, "expired", null, null, 401, "InvalidAuthenticationToken", "expired"),
        ["token: wrong audience"] = new("POST", Me, "audience", SandboxClient.PositionBody("T"), Json, 401, "InvalidAuthenticationToken", "audience"),
        ["token: basic scheme"] = new("PATCH", Item, "basic", """{"isCurrent":false}""", Json, 401, "InvalidAuthenticationToken"),
        ["token: read scope writes"] = new("POST", Me, "read", SandboxClient.PositionBody("T"), Json, 403, "Authorization_RequestDenied"),
        ["token: read scope deletes"] = new("DELETE", Item, "read", null, null, 403, "Authorization_RequestDenied"),
        ["token: own scope on other user"] = new("POST", "beta/users/megan.bowen@contoso.com/profile/positions", "rw", SandboxClient.PositionBody("T"), Json, 403, "Authorization_RequestDenied"),
        ["token: app-only"] = new("POST", "beta/users/megan.bowen@contoso.com/profile/positions", "app", SandboxClient.PositionBody("T"), Json, 403, "Authorization_RequestDenied"),

        // ---- batch envelopes ----
        ["batch: not JSON"] = new("POST", Batch, "rw", "{", Json, 400, "BadRequest"),
        ["batch: no requests"] = new("POST", Batch, "rw", "{}", Json, 400, "BadRequest"),
        ["batch: requests object"] = new("POST", Batch, "rw", """{"requests":{}}""", Json, 400, "BadRequest"),
        ["batch: requests string"] = new("POST", Batch, "rw", """{"requests":"x"}""", Json, 400, "BadRequest"),
        ["batch: root array"] = new("POST", Batch, "rw", "[]", Json, 400, "BadRequest"),
        ["batch: 21 items"] = new("POST", Batch, "rw", BatchOf(Enumerable.Range(1, 21).Select(i => Create(i.ToString())).ToArray()), Json, 400, "BadRequest"),
        ["batch: duplicate ids"] = new("POST", Batch, "rw", BatchOf(Create("x"), Create("2"), Create("X")), Json, 400, "BadRequest"),
        ["batch: item without url"] = new("POST", Batch, "rw", BatchOf(Create("1"), Without(Create("2"), "url")), Json, 400, "BadRequest"),
        ["batch: item without method"] = new("POST", Batch, "rw", BatchOf(Create("1"), Without(Create("2"), "method")), Json, 400, "BadRequest"),
        ["batch: item without id"] = new("POST", Batch, "rw", BatchOf(Create("1"), Without(Create("2"), "id")), Json, 400, "BadRequest"),
        ["batch: absolute url"] = new("POST", Batch, "rw", BatchOf(Create("1"), Create("2", "https://graph.microsoft.com/beta/me/profile/positions")), Json, 400, "BadRequest"),
        ["batch: body without headers"] = new("POST", Batch, "rw", BatchOf(Create("1"), Without(Create("2"), "headers")), Json, 400, "BadRequest"),
        ["batch: body without content type"] = new("POST", Batch, "rw", BatchOf(Create("1"), WithHeaders(Create("2"), new JsonObject { ["Accept"] = "application/json" })), Json, 400, "BadRequest"),
    };

    public static TheoryData<string> CaseNames => new(Cases.Keys);

    [Fact]
    public void There_are_at_least_thirty_cases() => Assert.True(Cases.Count >= 30, $"only {Cases.Count} cases");

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task Malformed_request_gets_its_odata_error_and_changes_nothing(string name)
    {
        var @case = Cases[name];
        var writer = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
        var existing = await Sandbox.CreatePositionAsync("me", writer, SandboxClient.PositionBody("Existing"));
        await Sandbox.CreatePositionAsync("users/megan.bowen@contoso.com", await Sandbox.TokenAsync(SandboxClient.MeganUpn), SandboxClient.PositionBody("Megan's"));
        var path = @case.Path.Replace("{id}", existing["id"]!.GetValue<string>(), StringComparison.Ordinal);
        var before = await Sandbox.StateAsync();

        var clientRequestId = Guid.NewGuid().ToString();
        var headers = new Dictionary<string, string> { ["client-request-id"] = clientRequestId };
        string? token = null;
        switch (@case.Token)
        {
            case "none":
                break;
            case "basic":
                headers["Authorization"] = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("adele:secret"));
                break;
            default:
                token = await TokenOfKindAsync(@case.Token);
                break;
        }

        var response = await Sandbox.SendAsync(new HttpMethod(@case.Method), path, token, @case.Body, @case.ContentType, headers);

        var error = GraphAssert.ODataError(response, @case.Status, @case.Code);
        Assert.Equal(clientRequestId, error["innerError"]!["client-request-id"]!.GetValue<string>());
        if (@case.MessageContains is not null)
        {
            Assert.Contains(@case.MessageContains, error["message"]!.GetValue<string>(), StringComparison.OrdinalIgnoreCase);
        }

        GraphAssert.JsonEqual(before, await Sandbox.StateAsync());
    }

    private async Task<string> TokenOfKindAsync(string kind)
    {
        switch (kind)
        {
            case "rw":
                return await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
            case "all":
                return await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All");
            case "read":
                return await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.Read");
            case "app":
                return await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All", app: true);
            case "expired":
                return await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite", lifetimeSeconds: -600);
            case "audience":
                return await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite", audience: "api://elsewhere");
            case "garbled":
                return "garbled.token.value";
            case "forged":
                var adele = (await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite")).Split('.');
                var megan = (await Sandbox.TokenAsync(SandboxClient.MeganUpn, "User.ReadWrite")).Split('.');
                return $"{adele[0]}.{adele[1]}.{megan[2]}";
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, null);
        }
    }

    private static JsonObject Without(JsonObject item, string member)
    {
        item.Remove(member);
        return item;
    }

    private static JsonObject WithHeaders(JsonObject item, JsonObject headers)
    {
        item["headers"] = headers;
        return item;
    }
}
