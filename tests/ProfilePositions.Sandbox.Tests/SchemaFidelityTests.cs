using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>
/// What Microsoft's OpenAPI description of People (beta) says about workPosition: flags enums, server-managed
/// members, nullability, <c>personDataSources.type</c>, Edm.Date years, the full member set and <c>@odata.context</c>.
/// </summary>
public sealed class SchemaFidelityTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    private const string MyPositions = "beta/me/profile/positions";

    /// <summary>Every member of workPosition and of its single-valued complex members, as the sandbox models them.</summary>
    internal static readonly Dictionary<string, string[]> Shape = new()
    {
        ["workPosition"] =
        [
            "id", "allowedAudiences", "inference", "createdDateTime", "createdBy", "lastModifiedDateTime", "lastModifiedBy", "source",
            "categories", "detail", "manager", "colleagues", "isCurrent", "isSearchable", "sources",
        ],
        ["detail"] =
        [
            "company", "description", "endMonthYear", "jobTitle", "role", "startMonthYear", "summary", "employeeId", "employeeType",
            "layer", "level", "secondaryJobTitle", "secondaryRole",
        ],
        ["company"] =
        [
            "displayName", "pronunciation", "department", "officeLocation", "address", "webUrl", "companyCode", "costCenter", "division",
            "secondaryDepartment",
        ],
        ["address"] = ["type", "postOfficeBox", "street", "city", "state", "countryOrRegion", "postalCode"],
        ["relatedPerson"] = ["displayName", "relationship", "userPrincipalName", "userId"],
        ["inference"] = ["confidenceScore", "userHasVerifiedAccuracy"],
        ["source"] = ["type"],
        ["sourceAnnotation"] = ["isDefaultSource", "properties", "sourceId"],
        ["identitySet"] = ["application", "device", "user"],
    };

    private const string FullBody = """
        {
          "detail": {"jobTitle": "Full", "company": {"displayName": "Contoso", "address": {"city": "Oslo"}}},
          "manager": {"displayName": "Boss"},
          "colleagues": [{"displayName": "Pal"}],
          "inference": {"confidenceScore": 0.5},
          "source": {"type": "User"},
          "sources": [{"sourceId": "46a57efc-33f8-4eec-a512-b90039ad6187"}]
        }
        """;

    [Theory]
    [InlineData("unknownFutureValue", "unknownFutureValue")]
    [InlineData("organization,contacts", "contacts,organization")]
    [InlineData("contacts, organization", "contacts,organization")]
    [InlineData(" everyone ,organization,organization", "organization,everyone")]
    [InlineData("me", "me")]
    [InlineData("me,contacts", "contacts")]
    [InlineData("unknownFutureValue,family", "family,unknownFutureValue")]
    public async Task Allowed_audiences_is_a_flags_enum_stored_in_canonical_form(string sent, string canonical)
    {
        var token = await Sandbox.TokenAsync();
        var body = new JsonObject { ["allowedAudiences"] = sent }.ToJsonString();
        var created = await Sandbox.PostJsonAsync(MyPositions, token, body);
        GraphAssert.Status(created, 201);
        Assert.Equal(canonical, created.Object["allowedAudiences"]!.GetValue<string>());
        var item = $"{MyPositions}/{created.Object["id"]}";
        Assert.Equal(canonical, (await Sandbox.GetAsync(item, token)).Object["allowedAudiences"]!.GetValue<string>());

        var patched = await Sandbox.PatchJsonAsync(item, token, new JsonObject { ["allowedAudiences"] = "groupMembers, me, family" }.ToJsonString());
        GraphAssert.Status(patched, 200);
        Assert.Equal("family,groupMembers", patched.Object["allowedAudiences"]!.GetValue<string>());
    }

    [Fact]
    public async Task Relationship_accepts_unknown_future_value()
    {
        var response = await Sandbox.PostJsonAsync(MyPositions, await Sandbox.TokenAsync(),
            """{"manager":{"displayName":"M","relationship":"unknownFutureValue"},"colleagues":[{"relationship":"unknownFutureValue"}]}""");
        GraphAssert.Status(response, 201);
        Assert.Equal("unknownFutureValue", response.Object["manager"]!["relationship"]!.GetValue<string>());
        Assert.Equal("unknownFutureValue", response.Object["colleagues"]![0]!["relationship"]!.GetValue<string>());
    }

    [Fact]
    public async Task Server_managed_members_in_a_create_body_are_ignored()
    {
        var token = await Sandbox.TokenAsync();
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var body = """
            {"id":"chosen-by-client","createdDateTime":"1999-01-01T00:00:00Z","lastModifiedDateTime":"not even a date",
             "createdBy":{"user":{"id":"someone-else"}},"lastModifiedBy":null,"detail":{"jobTitle":"Ignored audit"}}
            """;
        var created = await Sandbox.PostJsonAsync(MyPositions, token, body);
        GraphAssert.Status(created, 201);
        Assert.NotEqual("chosen-by-client", created.Object["id"]!.GetValue<string>());
        Assert.True(Guid.TryParse(created.Object["id"]!.GetValue<string>(), out _));
        GraphAssert.Timestamp(created.Object["createdDateTime"]);
        GraphAssert.Timestamp(created.Object["lastModifiedDateTime"]);
        Assert.Equal(adele.Id, created.Object["createdBy"]!["user"]!["id"]!.GetValue<string>());
        Assert.Equal(adele.Id, created.Object["lastModifiedBy"]!["user"]!["id"]!.GetValue<string>());

        // The journal keeps the body as it was sent.
        var entry = (await Sandbox.JournalAsync()).Last(e => e!["method"]!.GetValue<string>() == "POST");
        Assert.Equal("chosen-by-client", JsonNode.Parse(entry!["body"]!.GetValue<string>())!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_edit_patch_of_the_whole_object_works_and_keeps_server_members()
    {
        var token = await Sandbox.TokenAsync();
        var created = await Sandbox.CreatePositionAsync("me", token, FullBody);
        var item = $"{MyPositions}/{created["id"]}";
        var fetched = (await Sandbox.GetAsync(item, token)).Object;

        var edited = fetched.DeepClone().AsObject();
        edited["detail"]!["jobTitle"] = "Edited whole";
        edited["id"] = "another-id";
        edited["createdDateTime"] = "2001-01-01T00:00:00Z";
        edited["createdBy"] = null;
        var patched = await Sandbox.PatchJsonAsync(item, token, edited.ToJsonString());
        GraphAssert.Status(patched, 200);
        Assert.Equal(created["id"]!.GetValue<string>(), patched.Object["id"]!.GetValue<string>());
        Assert.Equal("Edited whole", patched.Object["detail"]!["jobTitle"]!.GetValue<string>());
        Assert.Equal(created["createdDateTime"]!.GetValue<string>(), patched.Object["createdDateTime"]!.GetValue<string>());
        GraphAssert.JsonEqual(created["createdBy"], patched.Object["createdBy"]);
        Assert.True(string.CompareOrdinal(patched.Object["lastModifiedDateTime"]!.GetValue<string>(), created["lastModifiedDateTime"]!.GetValue<string>()) > 0);

        // Everything else came back as it went out.
        foreach (var member in new[] { "detail", "manager", "colleagues", "inference", "source", "sources" })
        {
            var expected = member == "detail" ? edited["detail"] : fetched[member];
            GraphAssert.JsonEqual(expected, patched.Object[member]);
        }
    }

    [Theory]
    [InlineData("\"Directory\"", new[] { "Directory" })]
    [InlineData("[\"Directory\",\"User\"]", new[] { "Directory", "User" })]
    [InlineData("[]", new string[0])]
    public async Task Source_type_takes_a_string_or_an_array_and_is_always_an_array(string type, string[] expected)
    {
        var token = await Sandbox.TokenAsync();
        var created = await Sandbox.PostJsonAsync(MyPositions, token, "{\"source\":{\"type\":" + type + "}}");
        GraphAssert.Status(created, 201);
        Assert.Equal(expected, created.Object["source"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
        var fetched = await Sandbox.GetAsync($"{MyPositions}/{created.Object["id"]}", token);
        Assert.Equal(expected, fetched.Object["source"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));

        var patched = await Sandbox.PatchJsonAsync($"{MyPositions}/{created.Object["id"]}", token, """{"source":{"type":"Patched"}}""");
        Assert.Equal(["Patched"], patched.Object["source"]!["type"]!.AsArray().Select(t => t!.GetValue<string>()));
    }

    [Fact]
    public async Task Non_nullable_members_refuse_null_and_nullable_ones_take_it()
    {
        var token = await Sandbox.TokenAsync();
        var company = GraphAssert.ODataError(await Sandbox.PostJsonAsync(MyPositions, token, """{"detail":{"company":{"displayName":null}}}"""), 400, "BadRequest");
        Assert.Contains("'detail.company.displayName'", company["message"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Edm.String[Nullable=False]", company["message"]!.GetValue<string>(), StringComparison.Ordinal);
        GraphAssert.ODataError(await Sandbox.PostJsonAsync(MyPositions, token, """{"sources":[{"sourceId":null}]}"""), 400, "BadRequest");

        var created = await Sandbox.PostJsonAsync(MyPositions, token, """{"detail":{"jobTitle":null,"company":{"displayName":"C","department":null}},"sources":[{"sourceId":"s","properties":null}]}""");
        GraphAssert.Status(created, 201);
    }

    [Theory]
    [InlineData("12345-06-01")]
    [InlineData("-0044-03-15")]
    [InlineData("0000-02-29")]
    [InlineData("2000-02-29")]
    public async Task Dates_take_years_of_more_than_four_digits_and_negative_years(string date)
    {
        var created = await Sandbox.PostJsonAsync(MyPositions, await Sandbox.TokenAsync(), new JsonObject { ["detail"] = new JsonObject { ["startMonthYear"] = date } }.ToJsonString());
        GraphAssert.Status(created, 201);
        Assert.Equal(date, created.Object["detail"]!["startMonthYear"]!.GetValue<string>());
    }

    [Fact]
    public async Task Orderby_on_dates_compares_them_as_dates()
    {
        var token = await Sandbox.TokenAsync();
        foreach (var date in new[] { "9999-12-31", "10000-01-01", "-0001-06-01", "2020-01-01" })
        {
            await Sandbox.CreatePositionAsync("me", token, new JsonObject { ["detail"] = new JsonObject { ["endMonthYear"] = date } }.ToJsonString());
        }

        var list = await Sandbox.GetAsync($"{MyPositions}?$orderby={Uri.EscapeDataString("detail/endMonthYear desc")}", token);
        Assert.Equal(["10000-01-01", "9999-12-31", "2020-01-01", "-0001-06-01"], list.Object["value"]!.AsArray().Select(p => p!["detail"]!["endMonthYear"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Every_member_is_present_in_every_response()
    {
        var token = await Sandbox.TokenAsync();
        var created = await Sandbox.PostJsonAsync(MyPositions, token, FullBody);
        GraphAssert.Status(created, 201);
        AssertFullShape(created.Object);
        var item = $"{MyPositions}/{created.Object["id"]}";
        AssertFullShape((await Sandbox.GetAsync(item, token)).Object);
        AssertFullShape((await Sandbox.PatchJsonAsync(item, token, """{"isCurrent":true}""")).Object);
        AssertFullShape(Assert.Single((await Sandbox.GetAsync(MyPositions, token)).Object["value"]!.AsArray())!.AsObject());

        var batch = await Sandbox.PostJsonAsync(BatchTests.BatchPath, token, BatchTests.Envelope(BatchTests.GetItem("one", $"/me/profile/positions/{created.Object["id"]}")));
        AssertFullShape(BatchTests.ById(batch)["one"]["body"]!.AsObject());
    }

    [Fact]
    public async Task Writes_answer_with_odata_context_as_get_does()
    {
        var token = await Sandbox.TokenAsync();
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var expected = $"{Sandbox.BaseUri.ToString().TrimEnd('/')}/beta/$metadata#users('{adele.Id}')/profile/positions/$entity";
        var created = await Sandbox.PostJsonAsync(MyPositions, token, SandboxClient.PositionBody("Context"));
        Assert.Equal(expected, created.Object["@odata.context"]!.GetValue<string>());
        Assert.Equal("@odata.context", created.Object.First().Key);
        var item = $"{MyPositions}/{created.Object["id"]}";
        Assert.Equal(expected, (await Sandbox.PatchJsonAsync(item, token, """{"isCurrent":false}""")).Object["@odata.context"]!.GetValue<string>());
        Assert.Equal(expected, (await Sandbox.GetAsync(item, token)).Object["@odata.context"]!.GetValue<string>());

        // A write addressed by UPN names the user by id, as GET does.
        var byUpn = await Sandbox.PostJsonAsync($"beta/users/{SandboxClient.AdeleUpn}/profile/positions", token, SandboxClient.PositionBody("By UPN"));
        Assert.Equal(expected, byUpn.Object["@odata.context"]!.GetValue<string>());
    }

    [Fact]
    public async Task Select_of_nested_members_keeps_only_them_and_names_them_in_the_context()
    {
        var token = await Sandbox.TokenAsync();
        var created = await Sandbox.CreatePositionAsync("me", token, FullBody);
        var response = await Sandbox.GetAsync($"{MyPositions}/{created["id"]}?$select=detail/jobTitle,detail/company/address/city,isCurrent", token);
        GraphAssert.Status(response, 200);
        var expected = JsonNode.Parse("""{"detail":{"company":{"address":{"city":"Oslo"}},"jobTitle":"Full"},"isCurrent":null}""")!.AsObject();
        expected.Insert(0, "id", created["id"]!.GetValue<string>());
        var actual = response.Object.DeepClone().AsObject();
        Assert.EndsWith("/profile/positions(detail/jobTitle,detail/company/address/city,isCurrent)/$entity", actual["@odata.context"]!.GetValue<string>(), StringComparison.Ordinal);
        actual.Remove("@odata.context");
        GraphAssert.JsonEqual(expected, actual);

        var list = await Sandbox.GetAsync($"{MyPositions}?$select=DETAIL/Company", token);
        GraphAssert.Status(list, 200);
        var only = Assert.Single(list.Object["value"]!.AsArray())!.AsObject();
        Assert.Equal(["id", "detail"], only.Select(p => p.Key));
        Assert.Equal(["company"], only["detail"]!.AsObject().Select(p => p.Key));
        Assert.EndsWith("/profile/positions(detail/company)", list.Object["@odata.context"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private static void AssertFullShape(JsonObject position)
    {
        AssertMembers(position, "workPosition");
        AssertMembers(position["detail"]!.AsObject(), "detail");
        AssertMembers(position["detail"]!["company"]!.AsObject(), "company");
        AssertMembers(position["detail"]!["company"]!["address"]!.AsObject(), "address");
        AssertMembers(position["manager"]!.AsObject(), "relatedPerson");
        AssertMembers(position["colleagues"]![0]!.AsObject(), "relatedPerson");
        AssertMembers(position["inference"]!.AsObject(), "inference");
        AssertMembers(position["source"]!.AsObject(), "source");
        AssertMembers(position["sources"]![0]!.AsObject(), "sourceAnnotation");
        AssertMembers(position["createdBy"]!.AsObject(), "identitySet");
    }

    private static void AssertMembers(JsonObject value, string type) =>
        Assert.Equal(Shape[type], value.Select(p => p.Key).Where(k => !k.StartsWith('@')));
}
