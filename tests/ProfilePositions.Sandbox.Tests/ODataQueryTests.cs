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
    [InlineData("$filter=startswith(detail/jobTitle,'Eng')")]
    [InlineData("$filter=detail/role eq 'consulting'")]
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
    [InlineData("$orderby=detail/role")]
    [InlineData("$orderby=isCurrent sideways")]
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

    private static string SortKey(JsonObject item, string member) => member switch
    {
        "detail/jobTitle" => item["detail"]!["jobTitle"]!.GetValue<string>(),
        "detail/startMonthYear" => item["detail"]!["startMonthYear"]?.GetValue<string>() ?? string.Empty,
        "isCurrent" => item["isCurrent"]!.GetValue<bool>() ? "1" : "0",
        _ => item[member]!.GetValue<string>(),
    };

    private static string EscapeQuery(string query)
    {
        var equals = query.IndexOf('=', StringComparison.Ordinal);
        return query[..(equals + 1)] + Uri.EscapeDataString(query[(equals + 1)..]);
    }

    private static string Id(JsonNode? position) => position!["id"]!.GetValue<string>();
}
