using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>Replays the documented list/get/create/update/delete examples (graph-api.md §1.1–1.5) as golden cases.</summary>
public sealed class GoldenExampleTests(SandboxFixture fixture) : SandboxTestBase<SandboxFixture>(fixture), IClassFixture<SandboxFixture>
{
    private const string Collection = "beta/me/profile/positions";

    [Fact]
    public async Task Documented_examples_replay_with_documented_responses()
    {
        // The documented examples were made by Innocenty Popov, so his token fills createdBy/lastModifiedBy.
        var innocenty = await Sandbox.UserAsync(SandboxClient.InnocentyUpn);
        var token = await Sandbox.TokenAsync(SandboxClient.InnocentyUpn, "User.ReadWrite");

        // §1.3 create
        var created = await Sandbox.PostJsonAsync(Collection, token, GoldenJson.Load("create-request.json").ToJsonString());
        GraphAssert.Status(created, 201);
        AssertMatchesGolden("create-response.json", created.Object);
        var id = created.Object["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(id, out _), $"id is not a GUID: {id}");
        GraphAssert.Timestamp(created.Object["createdDateTime"]);
        GraphAssert.Timestamp(created.Object["lastModifiedDateTime"]);
        Assert.Equal(innocenty.Id, created.Object["createdBy"]!["user"]!["id"]!.GetValue<string>());
        Assert.Equal(innocenty.Id, created.Object["lastModifiedBy"]!["user"]!["id"]!.GetValue<string>());
        Assert.Null(created.Object["detail"]!["startMonthYear"]);
        var location = created.Headers.Location;
        Assert.NotNull(location);
        Assert.EndsWith("/profile/positions/" + id, location!.ToString(), StringComparison.OrdinalIgnoreCase);

        // §1.1 list
        var list = await Sandbox.GetAsync(Collection, token);
        GraphAssert.Status(list, 200);
        AssertMatchesGolden("list-response.json", list.Object);
        Assert.Equal(id, list.Object["value"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(
            $"{Sandbox.BaseUri.ToString().TrimEnd('/')}/beta/$metadata#users('{innocenty.Id}')/profile/positions",
            list.Object["@odata.context"]!.GetValue<string>());

        // §1.4 update
        var updated = await Sandbox.PatchJsonAsync($"{Collection}/{id}", token, GoldenJson.Load("update-request.json").ToJsonString());
        GraphAssert.Status(updated, 200);
        AssertMatchesGolden("update-response.json", updated.Object);
        Assert.Equal(id, updated.Object["id"]!.GetValue<string>());
        Assert.Equal(created.Object["createdDateTime"]!.GetValue<string>(), updated.Object["createdDateTime"]!.GetValue<string>());
        GraphAssert.Timestamp(updated.Object["lastModifiedDateTime"]);
        Assert.True(
            string.CompareOrdinal(updated.Object["lastModifiedDateTime"]!.GetValue<string>(), created.Object["lastModifiedDateTime"]!.GetValue<string>()) >= 0,
            "lastModifiedDateTime went backwards");

        // §1.2 get: the documented reply carries companyCode "A-101", which the create body never set;
        // a nested PATCH sets it (and must keep every sibling of company), then GET must match the example.
        var companyCode = await Sandbox.PatchJsonAsync($"{Collection}/{id}", token, """{"detail":{"company":{"companyCode":"A-101"}}}""");
        GraphAssert.Status(companyCode, 200);
        var fetched = await Sandbox.GetAsync($"{Collection}/{id}", token);
        GraphAssert.Status(fetched, 200);
        AssertMatchesGolden("get-response.json", fetched.Object);
        Assert.EndsWith("/$entity", fetched.Object["@odata.context"]!.GetValue<string>(), StringComparison.Ordinal);

        // §1.5 delete
        var deleted = await Sandbox.DeleteAsync($"{Collection}/{id}", token);
        GraphAssert.Status(deleted, 204);
        Assert.Equal(string.Empty, deleted.Text);
        GraphAssert.ODataError(await Sandbox.GetAsync($"{Collection}/{id}", token), 404, "itemNotFound");
        var empty = await Sandbox.GetAsync(Collection, token);
        Assert.Empty(empty.Object["value"]!.AsArray());
    }

    [Fact]
    public async Task Golden_comparison_detects_a_changed_value()
    {
        // Guards the comparer itself: a documented value that differs must be reported.
        var token = await Sandbox.TokenAsync(SandboxClient.InnocentyUpn, "User.ReadWrite");
        var body = GoldenJson.Load("create-request.json");
        body["detail"]!["jobTitle"] = "Something else";
        var created = await Sandbox.PostJsonAsync(Collection, token, body.ToJsonString());
        GraphAssert.Status(created, 201);
        var differences = GoldenJson.Differences(
            GoldenJson.MaskPosition(GoldenJson.Load("create-response.json")),
            GoldenJson.MaskPosition(created.Object));
        Assert.Contains(differences, d => d.StartsWith("$.detail.jobTitle", StringComparison.Ordinal));
    }

    private static void AssertMatchesGolden(string goldenFile, JsonObject actual)
    {
        var differences = GoldenJson.Differences(
            GoldenJson.MaskPosition(GoldenJson.Load(goldenFile)),
            GoldenJson.MaskPosition(actual));
        Assert.True(differences.Count == 0, $"{goldenFile}:\n{string.Join("\n", differences)}\nActual: {actual.ToJsonString()}");
    }
}
