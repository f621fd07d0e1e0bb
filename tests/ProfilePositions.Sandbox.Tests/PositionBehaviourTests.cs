using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>Create defaults, PATCH merge semantics, explicit null, delete, enum and date validation.</summary>
public sealed class PositionBehaviourTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    private const string MyPositions = "beta/me/profile/positions";

    private static readonly string[] DocumentedMembers =
    [
        "id", "allowedAudiences", "inference", "createdDateTime", "createdBy", "lastModifiedDateTime", "lastModifiedBy",
        "source", "categories", "detail", "manager", "colleagues", "isCurrent",
    ];

    [Fact]
    public async Task Create_fills_server_members_and_defaults()
    {
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var response = await Sandbox.PostJsonAsync(MyPositions, await Sandbox.TokenAsync(), """{"detail":{"jobTitle":"Minimal"}}""");
        GraphAssert.Status(response, 201);
        var created = response.Object;
        foreach (var member in DocumentedMembers)
        {
            Assert.True(created.ContainsKey(member), $"missing {member}: {created.ToJsonString()}");
        }

        Assert.Equal("organization", created["allowedAudiences"]!.GetValue<string>());
        Assert.Null(created["isCurrent"]);
        Assert.Null(created["manager"]);
        Assert.Null(created["detail"]!["company"]);
        Assert.True(created["detail"]!.AsObject().ContainsKey("startMonthYear"));
        GraphAssert.Timestamp(created["createdDateTime"]);
        Assert.Equal(created["createdDateTime"]!.GetValue<string>(), created["lastModifiedDateTime"]!.GetValue<string>());
        var expectedBy = new JsonObject
        {
            ["application"] = null,
            ["device"] = null,
            ["user"] = new JsonObject { ["displayName"] = adele.DisplayName, ["id"] = adele.Id },
        };
        GraphAssert.JsonEqual(expectedBy, created["createdBy"]);
        GraphAssert.JsonEqual(expectedBy, created["lastModifiedBy"]);

        var location = response.Headers.Location!;
        var fetched = await Sandbox.GetAsync(location.IsAbsoluteUri ? location.PathAndQuery : location.ToString(), await Sandbox.TokenAsync());
        GraphAssert.Status(fetched, 200);
        Assert.Equal(created["id"]!.GetValue<string>(), fetched.Object["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ids_are_unique_guids()
    {
        var token = await Sandbox.TokenAsync();
        var ids = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            ids.Add((await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody($"P{i}")))["id"]!.GetValue<string>());
        }

        Assert.All(ids, id => Assert.True(Guid.TryParse(id, out _)));
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public async Task Patch_merges_nested_members_and_explicit_null_clears()
    {
        var adeleToken = await Sandbox.TokenAsync(SandboxClient.AdeleUpn);
        var created = await Sandbox.CreatePositionAsync("me", adeleToken, GoldenJson.Load("create-request.json").ToJsonString());
        var item = $"{MyPositions}/{created["id"]}";

        var patched = await Sandbox.PatchJsonAsync(item, adeleToken, """{"detail":{"jobTitle":"Principal","company":{"department":null,"address":{"city":"Kazan"}}},"categories":["imported"]}""");
        GraphAssert.Status(patched, 200);
        var detail = patched.Object["detail"]!;
        Assert.Equal("Principal", detail["jobTitle"]!.GetValue<string>());
        Assert.Equal("consulting", detail["role"]!.GetValue<string>());
        Assert.Equal("Adventureworks Ltd.", detail["company"]!["displayName"]!.GetValue<string>());
        Assert.True(detail["company"]!.AsObject().ContainsKey("department"));
        Assert.Null(detail["company"]!["department"]);
        Assert.Equal("Kazan", detail["company"]!["address"]!["city"]!.GetValue<string>());
        Assert.Equal("123 Patriachy Ponds", detail["company"]!["address"]!["street"]!.GetValue<string>());
        Assert.Equal("business", detail["company"]!["address"]!["type"]!.GetValue<string>());
        Assert.True(patched.Object["isCurrent"]!.GetValue<bool>());
        Assert.Equal(["imported"], patched.Object["categories"]!.AsArray().Select(c => c!.GetValue<string>()));

        var cleared = await Sandbox.PatchJsonAsync(item, adeleToken, """{"detail":{"company":null},"isCurrent":null}""");
        GraphAssert.Status(cleared, 200);
        Assert.Null(cleared.Object["detail"]!["company"]);
        Assert.Equal("Principal", cleared.Object["detail"]!["jobTitle"]!.GetValue<string>());
        Assert.Null(cleared.Object["isCurrent"]);

        // The stored object equals what GET returns.
        var fetched = await Sandbox.GetAsync(item, adeleToken);
        GraphAssert.JsonEqual(cleared.Object["detail"], fetched.Object["detail"]);
    }

    [Fact]
    public async Task Patch_by_another_user_bumps_last_modified_and_keeps_created()
    {
        var adele = await Sandbox.UserAsync(SandboxClient.AdeleUpn);
        var megan = await Sandbox.UserAsync(SandboxClient.MeganUpn);
        var created = await Sandbox.CreatePositionAsync("me", await Sandbox.TokenAsync(SandboxClient.AdeleUpn), SandboxClient.PositionBody("Shared"));
        await Task.Delay(20); // so the clock visibly moves between the two writes

        var meganAdmin = await Sandbox.TokenAsync(SandboxClient.MeganUpn, "User.ReadWrite.All");
        var patched = await Sandbox.PatchJsonAsync($"beta/users/{adele.Id}/profile/positions/{created["id"]}", meganAdmin, """{"manager":{"displayName":"Boss","relationship":"manager","userPrincipalName":"boss@contoso.com"}}""");
        GraphAssert.Status(patched, 200);
        Assert.Equal(adele.Id, patched.Object["createdBy"]!["user"]!["id"]!.GetValue<string>());
        Assert.Equal(megan.Id, patched.Object["lastModifiedBy"]!["user"]!["id"]!.GetValue<string>());
        Assert.Equal(megan.DisplayName, patched.Object["lastModifiedBy"]!["user"]!["displayName"]!.GetValue<string>());
        Assert.Equal(created["createdDateTime"]!.GetValue<string>(), patched.Object["createdDateTime"]!.GetValue<string>());
        Assert.True(string.CompareOrdinal(patched.Object["lastModifiedDateTime"]!.GetValue<string>(), created["lastModifiedDateTime"]!.GetValue<string>()) > 0);
        Assert.Equal("manager", patched.Object["manager"]!["relationship"]!.GetValue<string>());
    }

    [Fact]
    public async Task Delete_answers_204_then_404()
    {
        var token = await Sandbox.TokenAsync();
        var created = await Sandbox.CreatePositionAsync("me", token, SandboxClient.PositionBody("Gone"));
        var item = $"{MyPositions}/{created["id"]}";
        var deleted = await Sandbox.DeleteAsync(item, token);
        GraphAssert.Status(deleted, 204);
        GraphAssert.ODataError(await Sandbox.DeleteAsync(item, token), 404, "itemNotFound");
        GraphAssert.ODataError(await Sandbox.PatchJsonAsync(item, token, """{"isCurrent":true}"""), 404, "itemNotFound");
    }

    [Fact]
    public async Task Another_users_position_id_is_not_found_under_me()
    {
        var megansPosition = await Sandbox.CreatePositionAsync("me", await Sandbox.TokenAsync(SandboxClient.MeganUpn), SandboxClient.PositionBody("Megan's"));
        GraphAssert.ODataError(await Sandbox.GetAsync($"{MyPositions}/{megansPosition["id"]}", await Sandbox.TokenAsync(SandboxClient.AdeleUpn)), 404, "itemNotFound");
    }

    public static TheoryData<string> ValidBodies => new()
    {
        """{"allowedAudiences":"me"}""",
        """{"allowedAudiences":"family"}""",
        """{"allowedAudiences":"contacts"}""",
        """{"allowedAudiences":"groupMembers"}""",
        """{"allowedAudiences":"organization"}""",
        """{"allowedAudiences":"federatedOrganizations"}""",
        """{"allowedAudiences":"everyone"}""",
        """{"allowedAudiences":"organization,federatedOrganizations"}""",
        """{"detail":{"startMonthYear":"2019-01-01","endMonthYear":"2021-12-31"}}""",
        """{"detail":{"company":{"displayName":"C","address":{"type":"unknown"}}}}""",
        """{"detail":{"company":{"displayName":"C","address":{"type":"home"}}}}""",
        """{"detail":{"company":{"displayName":"C","address":{"type":"other"}}}}""",
        """{"manager":{"displayName":"M","relationship":"manager"}}""",
        """{"colleagues":[{"displayName":"A","relationship":"colleague"},{"displayName":"B","relationship":"directReport"},{"displayName":"C","relationship":"dotLineManager"}]}""",
        """{"manager":{"displayName":"S","relationship":"sponsor","userId":"x"}}""",
        """{"categories":["a","b"],"isCurrent":false}""",
        """{"detail":{"layer":3,"level":"L5","secondaryJobTitle":"Coach","employeeId":"E1","company":{"displayName":"C","costCenter":"CC","division":"D","secondaryDepartment":"S","companyCode":"A-1"}}}""",
        """{"inference":{"confidenceScore":0.5,"userHasVerifiedAccuracy":true}}""",
        """{}""",
    };

    [Theory]
    [MemberData(nameof(ValidBodies))]
    public async Task Valid_bodies_are_stored_as_sent(string body)
    {
        var response = await Sandbox.PostJsonAsync(MyPositions, await Sandbox.TokenAsync(), body);
        GraphAssert.Status(response, 201);
        AssertContains(JsonNode.Parse(body)!, response.Object, "$");
    }

    private static void AssertContains(JsonNode expected, JsonNode? actual, string path)
    {
        if (expected is JsonObject obj)
        {
            var actualObject = Assert.IsType<JsonObject>(actual, exactMatch: false);
            foreach (var (name, value) in obj)
            {
                Assert.True(actualObject.ContainsKey(name), $"{path}.{name} missing in {actualObject.ToJsonString()}");
                if (value is null)
                {
                    Assert.Null(actualObject[name]);
                }
                else
                {
                    AssertContains(value, actualObject[name], $"{path}.{name}");
                }
            }
        }
        else if (expected is JsonArray array)
        {
            var actualArray = Assert.IsType<JsonArray>(actual, exactMatch: false);
            Assert.Equal(array.Count, actualArray.Count);
            for (var i = 0; i < array.Count; i++)
            {
                AssertContains(array[i]!, actualArray[i], $"{path}[{i}]");
            }
        }
        else
        {
            Assert.True(JsonNode.DeepEquals(expected, actual), $"{path}: expected {expected.ToJsonString()}, got {actual?.ToJsonString()}");
        }
    }
}

/// <summary>--loose: unknown members are kept and returned instead of rejected.</summary>
public sealed class LooseModeTests(LooseSandboxFixture fixture) : SandboxTestBase<LooseSandboxFixture>(fixture), IClassFixture<LooseSandboxFixture>
{
    [Fact]
    public async Task Unknown_members_are_kept_and_returned()
    {
        var token = await Sandbox.TokenAsync();
        var response = await Sandbox.PostJsonAsync("beta/me/profile/positions", token, """{"favouriteColour":"blue","detail":{"jobTitle":"Loose","shoeSize":42}}""");
        GraphAssert.Status(response, 201);
        Assert.Equal("blue", response.Object["favouriteColour"]!.GetValue<string>());
        Assert.Equal(42, response.Object["detail"]!["shoeSize"]!.GetValue<int>());

        var fetched = await Sandbox.GetAsync($"beta/me/profile/positions/{response.Object["id"]}", token);
        Assert.Equal("blue", fetched.Object["favouriteColour"]!.GetValue<string>());
        Assert.Equal(42, fetched.Object["detail"]!["shoeSize"]!.GetValue<int>());
    }

    [Fact]
    public async Task Loose_mode_still_rejects_bad_types_and_ignores_server_managed_members()
    {
        var token = await Sandbox.TokenAsync();
        GraphAssert.ODataError(await Sandbox.PostJsonAsync("beta/me/profile/positions", token, """{"isCurrent":"yes"}"""), 400, "BadRequest");
        GraphAssert.ODataError(await Sandbox.PostJsonAsync("beta/me/profile/positions", token, """{"detail":{"company":{"displayName":null}}}"""), 400, "BadRequest");
        Assert.Equal(0, (await Sandbox.HealthAsync())["positions"]!.GetValue<int>());

        var created = await Sandbox.PostJsonAsync("beta/me/profile/positions", token, """{"id":"mine","createdBy":"anyone"}""");
        GraphAssert.Status(created, 201);
        Assert.NotEqual("mine", created.Object["id"]!.GetValue<string>());
        Assert.IsType<JsonObject>(created.Object["createdBy"], exactMatch: false);
    }
}
