using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>$top, $skip, $select, $orderby, the $filter subset and @odata.nextLink paging (page size 3).</summary>
public sealed class ODataQueryTests(SmallPageSandboxFixture fixture)
    : SandboxTestBase<SmallPageSandboxFixture>(fixture), IClassFixture<SmallPageSandboxFixture>
{
    private const string Collection = "beta/me/profile/positions";

    private static readonly (string Title, bool IsCurrent, string Company)[] Seed =
    [
        ("Engineer", true, "Contoso"),
        ("Architect", false, "Fabrikam"),
        ("Manager", true, "Adventure Works"),
        ("Chief O'Neil Officer", false, "Contoso"),
        ("Analyst", true, "Fabrikam"),
        ("Designer", false, "Adventure Works"),
        ("Engineer", false, "Fabrikam"),
        ("Zoologist", true, "Contoso"),
    ];

    private string token = string.Empty;
    private List<JsonObject> created = [];

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        token = await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
        created = [];
        foreach (var (title, isCurrent, company) in Seed)
        {
            created.Add(await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody(title, isCurrent, company)));
        }
    }

    [Fact]
    public async Task Paging_follows_next_links_to_the_end_in_created_order()
    {
        var (items, pages) = await ReadAllAsync(Collection);
        Assert.Equal(created.Select(Id), items.Select(Id));
        Assert.Equal([3, 3, 2], pages.Select(p => p.Count));
        Assert.Equal(created.Select(p => p["createdDateTime"]!.GetValue<string>()).Order(StringComparer.Ordinal), items.Select(p => p["createdDateTime"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Next_link_is_absolute_and_opaque()
    {
        var first = await Sandbox.GetAsync(Collection, token);
        GraphAssert.Status(first, 200);
        var next = first.Object["@odata.nextLink"]!.GetValue<string>();
        var nextUri = new Uri(next);
        Assert.True(nextUri.IsAbsoluteUri);
        Assert.Equal(Sandbox.BaseUri.Authority, nextUri.Authority);
        Assert.Contains("skiptoken=", Uri.UnescapeDataString(nextUri.Query), StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("/beta/me/profile/positions", nextUri.AbsolutePath, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("$top=2", 0, 2)]
    [InlineData("$top=5", 0, 5)]
    [InlineData("$top=100", 0, 8)]
    [InlineData("$skip=2", 2, 6)]
    [InlineData("$skip=2&$top=4", 2, 4)]
    [InlineData("$skip=7", 7, 1)]
    [InlineData("$skip=20", 8, 0)]
    [InlineData("top=2", 0, 2)]
    [InlineData("skip=6", 6, 2)]
    public async Task Top_and_skip_select_a_window(string query, int expectedSkip, int expectedCount)
    {
        var (items, pages) = await ReadAllAsync($"{Collection}?{query}");
        Assert.Equal(created.Skip(expectedSkip).Take(expectedCount).Select(Id), items.Select(Id));
        Assert.All(pages, page => Assert.True(page.Count <= SmallPageSandboxFixture.PageSize));
    }

    [Fact]
    public async Task Top_within_a_page_needs_no_next_link()
    {
        var page = await Sandbox.GetAsync($"{Collection}?$top=2", token);
        GraphAssert.Status(page, 200);
        Assert.Equal(2, page.Object["value"]!.AsArray().Count);
        Assert.Null(page.Object["@odata.nextLink"]);
    }

    [Theory]
    [InlineData("detail", new[] { "id", "detail" })]
    [InlineData("isCurrent,detail", new[] { "id", "isCurrent", "detail" })]
    [InlineData("id", new[] { "id" })]
    [InlineData("allowedAudiences", new[] { "id", "allowedAudiences" })]
    public async Task Select_keeps_only_the_chosen_members_and_id(string select, string[] members)
    {
        var (items, _) = await ReadAllAsync($"{Collection}?$select={select}");
        Assert.Equal(created.Count, items.Count);
        foreach (var item in items)
        {
            Assert.Equal(members.Order(), item.Select(p => p.Key).Where(k => !k.StartsWith('@')).Order());
        }

        var one = await Sandbox.GetAsync($"{Collection}/{Id(created[3])}?$select={select}", token);
        GraphAssert.Status(one, 200);
        Assert.Equal(members.Order(), one.Object.Select(p => p.Key).Where(k => !k.StartsWith('@')).Order());
        Assert.Equal(Id(created[3]), Id(one.Object));
        if (members.Contains("detail"))
        {
            GraphAssert.JsonEqual(created[3]["detail"], one.Object["detail"]);
        }
    }

    public static TheoryData<string> OrderBys => new()
    {
        "detail/jobTitle", "detail/jobTitle asc", "detail/jobTitle desc", "isCurrent", "isCurrent desc",
        "createdDateTime desc", "createdDateTime asc", "lastModifiedDateTime desc", "detail/startMonthYear desc",
        "detail/company/displayName", "detail/company/displayName desc", "DETAIL/COMPANY/DISPLAYNAME", "id", "detail/role",
    };

    [Theory]
    [MemberData(nameof(OrderBys))]
    public async Task Orderby_sorts_by_the_named_member(string orderBy)
    {
        // Make lastModifiedDateTime differ from creation order, and give startMonthYear values.
        var patched = await Sandbox.PatchJsonAsync($"{Collection}/{Id(created[0])}", token, """{"detail":{"startMonthYear":"2019-04-01"}}""");
        GraphAssert.Status(patched, 200);
        created[0] = patched.Object;
        var (items, _) = await ReadAllAsync($"{Collection}?$orderby={Uri.EscapeDataString(orderBy)}");
        Assert.Equal(created.Count, items.Count);

        var parts = orderBy.Split(' ');
        var descending = parts.Length == 2 && parts[1] == "desc";
        var keys = items.Select(item => SortKey(item, parts[0])).ToList();
        var sorted = descending ? keys.OrderDescending(StringComparer.Ordinal).ToList() : keys.Order(StringComparer.Ordinal).ToList();
        Assert.Equal(sorted, keys);
        Assert.Equal(created.Select(Id).Order(), items.Select(Id).Order());
    }

    public static TheoryData<string, string> Filters => new()
    {
        // { $filter, name of the C# predicate in Predicates }
        { "isCurrent eq true", "current" },
        { "isCurrent eq false", "notCurrent" },
        { "isCurrent ne true", "notCurrent" },
        { "detail/jobTitle eq 'Engineer'", "engineer" },
        { "detail/jobTitle ne 'Engineer'", "notEngineer" },
        { "detail/company/displayName eq 'Fabrikam'", "fabrikam" },
        { "detail/company/displayName ne 'Fabrikam'", "notFabrikam" },
        { "detail/jobTitle eq 'Chief O''Neil Officer'", "oNeil" },
        { "isCurrent eq true and detail/company/displayName eq 'Contoso'", "currentContoso" },
        { "detail/jobTitle eq 'Analyst' or detail/jobTitle eq 'Designer'", "analystOrDesigner" },
        { "detail/jobTitle eq 'Analyst' or isCurrent eq false and detail/company/displayName eq 'Fabrikam'", "analystOrPastFabrikam" },
        { "isCurrent eq false and detail/company/displayName eq 'Fabrikam' or detail/jobTitle eq 'Zoologist'", "pastFabrikamOrZoologist" },
        { "detail/jobTitle eq 'Nobody'", "none" },
        { "startswith(detail/jobTitle,'Engin')", "engineer" },
        { "startswith(detail/jobTitle,'engin')", "none" },
        { "startswith(detail/company/displayName,'Fab') and isCurrent eq true", "currentFabrikam" },
        { "not startswith(detail/company/displayName,'Fab')", "notFabrikam" },
        { "not (isCurrent eq true)", "notCurrent" },
        { "detail/role eq null", "all" },
        { "detail/company/department ne 'Sales'", "all" },
        { "detail/company/address/city eq 'Oslo'", "none" },
        { "DETAIL/JOBTITLE eq 'Engineer'", "engineer" },
        { "startswith(id,'')", "all" },
        { "detail/description eq 'x' or detail/summary eq 'x' or detail/employeeId eq 'x' or detail/level eq 'x' or detail/secondaryJobTitle eq 'x'", "none" },
        { "detail/company/pronunciation eq 'x' or detail/company/officeLocation eq 'x' or detail/company/webUrl eq 'x' or detail/company/costCenter eq 'x'", "none" },
    };

    private static readonly Dictionary<string, Func<(string Title, bool IsCurrent, string Company), bool>> Predicates = new()
    {
        ["current"] = p => p.IsCurrent,
        ["notCurrent"] = p => !p.IsCurrent,
        ["engineer"] = p => p.Title == "Engineer",
        ["notEngineer"] = p => p.Title != "Engineer",
        ["fabrikam"] = p => p.Company == "Fabrikam",
        ["notFabrikam"] = p => p.Company != "Fabrikam",
        ["oNeil"] = p => p.Title == "Chief O'Neil Officer",
        ["currentContoso"] = p => p.IsCurrent && p.Company == "Contoso",
        ["analystOrDesigner"] = p => p.Title is "Analyst" or "Designer",
        ["analystOrPastFabrikam"] = p => p.Title == "Analyst" || (!p.IsCurrent && p.Company == "Fabrikam"),
        ["pastFabrikamOrZoologist"] = p => (!p.IsCurrent && p.Company == "Fabrikam") || p.Title == "Zoologist",
        ["none"] = _ => false,
        ["all"] = _ => true,
        ["currentFabrikam"] = p => p.IsCurrent && p.Company == "Fabrikam",
    };

    [Theory]
    [MemberData(nameof(Filters))]
    public async Task Filter_subset_selects_matching_positions(string filter, string predicate)
    {
        var expected = Seed.Select((p, i) => (p, i)).Where(x => Predicates[predicate](x.p)).Select(x => Id(created[x.i]));
        var (items, _) = await ReadAllAsync($"{Collection}?$filter={Uri.EscapeDataString(filter)}");
        Assert.Equal(expected, items.Select(Id));

        // Beta accepts system query options without the '$'.
        var (plain, _) = await ReadAllAsync($"{Collection}?filter={Uri.EscapeDataString(filter)}");
        Assert.Equal(expected, plain.Select(Id));
    }

    [Fact]
    public async Task Next_links_keep_filter_orderby_and_select()
    {
        var query = "$filter=" + Uri.EscapeDataString("isCurrent eq false or detail/company/displayName eq 'Contoso'")
            + "&$orderby=" + Uri.EscapeDataString("detail/jobTitle desc") + "&$select=detail";
        var (items, pages) = await ReadAllAsync($"{Collection}?{query}");
        Assert.True(pages.Count >= 2, "expected several pages");
        var expected = Seed.Where(p => !p.IsCurrent || p.Company == "Contoso").Select(p => p.Title).OrderDescending(StringComparer.Ordinal);
        Assert.Equal(expected, items.Select(i => i["detail"]!["jobTitle"]!.GetValue<string>()));
        Assert.All(items, item => Assert.Null(item["isCurrent"]));
    }

    [Theory]
    [InlineData("$count=true", null)]
    [InlineData("count=true", null)]
    [InlineData("$count=true&$top=2&$skip=1", null)]
    [InlineData("$count=true&$filter=isCurrent eq true", "current")]
    [InlineData("$count=true&$filter=detail/company/displayName eq 'Fabrikam'&$orderby=detail/jobTitle&$top=1", "fabrikam")]
    public async Task Count_true_gives_the_number_matching_the_filter_before_top_and_skip_on_every_page(string query, string? predicate)
    {
        var expected = predicate is null ? Seed.Length : Seed.Count(Predicates[predicate]);
        string? next = $"{Collection}?{EscapeQueryValues(query)}";
        var pages = 0;
        while (next is not null)
        {
            var page = await Sandbox.GetAsync(next, token);
            GraphAssert.Status(page, 200);
            Assert.Equal(expected, page.Object["@odata.count"]!.GetValue<int>());

            // Graph writes the count before the items.
            Assert.Equal(["@odata.context", "@odata.count", "value"], page.Object.Select(p => p.Key).Take(3));
            next = page.Object["@odata.nextLink"]?.GetValue<string>();
            Assert.True(++pages < 10);
        }
    }

    [Theory]
    [InlineData("$count=false")]
    [InlineData("")]
    public async Task Without_count_true_there_is_no_odata_count(string query)
    {
        var page = await Sandbox.GetAsync($"{Collection}?{query}", token);
        GraphAssert.Status(page, 200);
        Assert.False(page.Object.ContainsKey("@odata.count"));
    }

    [Theory]
    [InlineData("", 8)]
    [InlineData("$filter=isCurrent eq false", 4)]
    [InlineData("$filter=detail/jobTitle eq 'Engineer'", 2)]
    [InlineData("$top=1&$skip=3&$orderby=detail/jobTitle&$select=detail", 8)]
    [InlineData("filter=detail/company/displayName eq 'Contoso'", 3)]
    public async Task Count_segment_answers_the_number_as_plain_text(string query, int expected)
    {
        var response = await Sandbox.GetAsync($"{Collection}/$count?{EscapeQueryValues(query)}", token);
        GraphAssert.Status(response, 200);
        Assert.Equal("text/plain", response.ContentHeaders.ContentType!.MediaType);
        Assert.Equal(expected.ToString(System.Globalization.CultureInfo.InvariantCulture), response.Text);

        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var byUpn = await Sandbox.GetAsync($"beta/users/{adele.UserPrincipalName}/profile/positions/$COUNT?{EscapeQueryValues(query)}", await Sandbox.TokenAsync(SandboxClient.AdeleUpn, "User.Read"));
        Assert.Equal(response.Text, byUpn.Text);
    }

    [Theory]
    [InlineData("POST", "", 405, "Request_BadRequest")]
    [InlineData("DELETE", "", 405, "Request_BadRequest")]
    [InlineData("GET", "$count=true", 400, "BadRequest")]
    [InlineData("GET", "$filter=isCurrent eq maybe", 400, "BadRequest")]
    [InlineData("GET", "$search=Engineer", 400, "BadRequest")]
    public async Task Count_segment_refuses_other_methods_and_bad_options(string method, string query, int status, string code)
    {
        var response = await Sandbox.SendAsync(new HttpMethod(method), $"{Collection}/$count?{EscapeQueryValues(query)}", token, method == "POST" ? "{}" : null);
        GraphAssert.ODataError(response, status, code);
    }

    [Theory]
    [InlineData("$expand=detail", "Expand")]
    [InlineData("expand=*", "Expand")]
    [InlineData("$search=\"Engineer\"", "Search")]
    [InlineData("$SEARCH=Engineer", "Search")]
    public async Task Expand_and_search_get_graphs_not_allowed_error_on_lists_and_single_positions(string query, string option)
    {
        var expected = $"The query specified in the URI is not valid. Query option '{option}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.";
        var list = GraphAssert.ODataError(await Sandbox.GetAsync($"{Collection}?{EscapeQueryValues(query)}", token), 400, "BadRequest");
        Assert.Equal(expected, list["message"]!.GetValue<string>());
        var one = GraphAssert.ODataError(await Sandbox.GetAsync($"{Collection}/{Id(created[0])}?{EscapeQueryValues(query)}", token), 400, "BadRequest");
        Assert.Equal(expected, one["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Batch_items_take_count_the_count_segment_and_get_the_same_errors()
    {
        var envelope = BatchTests.Envelope(
            BatchTests.GetItem("counted", "/me/profile/positions?$count=true&$top=1"),
            BatchTests.GetItem("segment", "/me/profile/positions/$count?$filter=" + Uri.EscapeDataString("isCurrent eq true")),
            BatchTests.GetItem("expand", "/me/profile/positions?$expand=detail"),
            BatchTests.GetItem("search", "/me/profile/positions?$search=Engineer"));
        var response = await Sandbox.PostJsonAsync(BatchTests.BatchPath, token, envelope);
        GraphAssert.Status(response, 200);
        var items = BatchTests.ById(response);
        Assert.Equal(200, items["counted"]["status"]!.GetValue<int>());
        Assert.Equal(Seed.Length, items["counted"]["body"]!["@odata.count"]!.GetValue<int>());
        Assert.Single(items["counted"]["body"]!["value"]!.AsArray());
        Assert.Equal(200, items["segment"]["status"]!.GetValue<int>());
        Assert.StartsWith("text/plain", BatchTests.HeaderValue(items["segment"], "Content-Type"), StringComparison.Ordinal);
        Assert.Equal(Seed.Count(p => p.IsCurrent), items["segment"]["body"]!.GetValue<int>());
        Assert.Contains("'Expand' is not allowed", GraphAssert.ItemError(items["expand"], 400, "BadRequest")["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("'Search' is not allowed", GraphAssert.ItemError(items["search"], 400, "BadRequest")["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$count=yes")]
    [InlineData("$count=1")]
    [InlineData("$count=true&$count=false")]
    [InlineData("$filter=isCurrent gt true")]
    [InlineData("$filter=isCurrent eq 'yes'")]
    [InlineData("$filter=detail/jobTitle eq Engineer")]
    [InlineData("$filter=detail/jobTitle eq 'unterminated")]
    [InlineData("$filter=isCurrent eq true and")]
    [InlineData("$filter=(isCurrent eq true)xyz")]
    [InlineData("$filter=")]
    [InlineData("$top=-1")]
    [InlineData("$top=abc")]
    [InlineData("$skip=-3")]
    [InlineData("$skip=many")]
    [InlineData("$orderby=isCurrent sideways")]
    [InlineData("$orderby=detail")]
    [InlineData("$orderby=categories")]
    [InlineData("$orderby=detail/nothing")]
    [InlineData("$filter=categories eq 'a'")]
    [InlineData("$filter=detail/layer eq 3")]
    [InlineData("$filter=startswith(detail/jobTitle,Eng)")]
    [InlineData("$filter=startswith(isCurrent,'t')")]
    [InlineData("$filter=startswith(detail/jobTitle 'Eng')")]
    [InlineData("$filter=endswith(detail/jobTitle,'eer')")]
    [InlineData("$filter=detail/company eq 'x'")]
    [InlineData("$select=detail/nothing")]
    [InlineData("$select=colleagues/displayName")]
    [InlineData("$expand=detail")]
    [InlineData("$search=Engineer")]
    [InlineData("$foo=1")]
    [InlineData("$skiptoken=not-a-token")]
    public async Task Unsupported_or_bad_query_options_are_bad_requests(string query)
    {
        var response = await Sandbox.GetAsync($"{Collection}?{EscapeQuery(query)}", token);
        GraphAssert.ODataError(response, 400, "BadRequest");
    }

    private async Task<(List<JsonObject> Items, List<JsonArray> Pages)> ReadAllAsync(string relative)
    {
        var items = new List<JsonObject>();
        var pages = new List<JsonArray>();
        string? next = relative;
        while (next is not null)
        {
            var page = await Sandbox.GetAsync(next, token);
            GraphAssert.Status(page, 200);
            var value = page.Object["value"]!.AsArray();
            Assert.True(value.Count <= SmallPageSandboxFixture.PageSize, $"page larger than the page size: {value.Count}");
            pages.Add(value);
            items.AddRange(value.Select(v => v!.AsObject()));
            next = page.Object["@odata.nextLink"]?.GetValue<string>();
            Assert.True(pages.Count < 20, "nextLink chain does not end");
        }

        return (items, pages);
    }

    private static string SortKey(JsonObject item, string member) => member.ToLowerInvariant() switch
    {
        "detail/jobtitle" => item["detail"]!["jobTitle"]!.GetValue<string>(),
        "detail/company/displayname" => item["detail"]!["company"]!["displayName"]!.GetValue<string>(),
        "detail/role" => item["detail"]!["role"]?.GetValue<string>() ?? string.Empty,
        "detail/startmonthyear" => item["detail"]!["startMonthYear"]?.GetValue<string>() ?? string.Empty,
        "iscurrent" => item["isCurrent"]!.GetValue<bool>() ? "1" : "0",
        _ => item[member]!.GetValue<string>(),
    };

    // Escapes each value of name=value pairs joined by '&'.
    private static string EscapeQueryValues(string query) =>
        string.Join('&', query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(EscapeQuery));

    private static string EscapeQuery(string query)
    {
        var equals = query.IndexOf('=', StringComparison.Ordinal);
        return query[..(equals + 1)] + Uri.EscapeDataString(query[(equals + 1)..]);
    }

    private static string Id(JsonNode? position) => position!["id"]!.GetValue<string>();
}
