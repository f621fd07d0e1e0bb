using System.Collections;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>When a stored position counts as the one a create body asked for (reconcile and -SkipExisting).</summary>
public sealed class PositionMatcherTests
{
    private static WorkPosition Stored(string json) => PositionReader.ReadPosition(GraphJson.Parse(json), "me");

    private static PositionBody Body(string json) => PositionBody.FromInput(json);

    private const string StoredPosition = """
        {"id":"p1","createdDateTime":"2026-01-02T03:04:05Z","allowedAudiences":"organization","isCurrent":true,
         "categories":["imported","2026"],
         "detail":{"jobTitle":"Engineer","role":null,"startMonthYear":"2020-01-01","layer":3,
                   "company":{"displayName":"Contoso","department":"R&D","address":{"city":"Oslo","type":"business"}}},
         "CustomField":"kept"}
        """;

    [Fact]
    public void NestedObjectsCompareMemberByMemberSoServerAddedMembersDoNotMatter()
    {
        Assert.True(PositionMatcher.Matches(Body("""{"detail":{"company":{"displayName":"Contoso","address":{"city":"Oslo"}}}}"""), Stored(StoredPosition)));
        Assert.True(PositionMatcher.Matches(Body("""{"isCurrent":true,"detail":{"jobTitle":"Engineer","layer":3}}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"detail":{"company":{"displayName":"Contoso","address":{"city":"Bergen"}}}}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"detail":{"company":{"displayName":"Contoso","division":"North"}}}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"detail":{"layer":4}}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"isCurrent":false}"""), Stored(StoredPosition)));
    }

    [Fact]
    public void ANullInTheBodyMatchesNullOrAbsentButNotAValue()
    {
        Assert.True(PositionMatcher.Matches(Body("""{"detail":{"jobTitle":"Engineer","role":null}}"""), Stored(StoredPosition)));
        Assert.True(PositionMatcher.Matches(Body("""{"detail":{"jobTitle":"Engineer","summary":null}}"""), Stored(StoredPosition)));
        Assert.True(PositionMatcher.Matches(Body("""{"manager":null,"isCurrent":true}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"detail":{"jobTitle":null}}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"detail":{"role":"consulting"}}"""), Stored(StoredPosition)));
    }

    [Fact]
    public void MemberNamesAndEnumValuesCompareCaseInsensitivelyButTextValuesDoNot()
    {
        Assert.True(PositionMatcher.Matches(PositionBody.FromInput(new Hashtable { ["Detail"] = new Hashtable { ["JOBTITLE"] = "Engineer" }, ["allowedaudiences"] = "Organization" }), Stored(StoredPosition)));
        Assert.True(PositionMatcher.Matches(PositionBody.FromParameters(new Dictionary<string, object?> { ["AdditionalProperties"] = new Hashtable { ["customField"] = "kept" } }), Stored(StoredPosition)));
        Assert.True(PositionMatcher.Matches(Body("""{"detail":{"company":{"address":{"type":"Business"}}}}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"detail":{"jobTitle":"engineer"}}"""), Stored(StoredPosition)));
    }

    [Fact]
    public void AnnotationsAndUnknownMembersDoNotDecideAMatch()
    {
        // Graph does not store @odata.type or members it does not know as they were sent; comparing them would miss the
        // created position, and a create whose outcome was unknown would be sent again.
        Assert.True(PositionMatcher.Matches(Body("""{"@odata.type":"#microsoft.graph.workPosition","detail":{"jobTitle":"Engineer"}}"""), Stored(StoredPosition)));
        Assert.True(PositionMatcher.Matches(PositionBody.FromParameters(new Dictionary<string, object?> { ["JobTitle"] = "Engineer", ["AdditionalProperties"] = new Hashtable { ["customField"] = "not stored" } }), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"@odata.type":"#microsoft.graph.workPosition","detail":{"jobTitle":"Other"}}"""), Stored(StoredPosition)));
    }

    [Fact]
    public void ListsCompareItemByItemInOrderAndDatesByDay()
    {
        Assert.True(PositionMatcher.Matches(Body("""{"categories":["imported","2026"]}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"categories":["2026","imported"]}"""), Stored(StoredPosition)));
        Assert.False(PositionMatcher.Matches(Body("""{"categories":["imported"]}"""), Stored(StoredPosition)));
        Assert.True(PositionMatcher.Matches(Body("""{"detail":{"startMonthYear":"2020-01"}}"""), Stored(StoredPosition)));
        Assert.True(PositionMatcher.Matches(Body("""{"detail":{"startMonthYear":"2020-01-01"}}"""), Stored(StoredPosition.Replace("\"2020-01-01\"", "\"2020-01-01T00:00:00Z\""))));
        Assert.False(PositionMatcher.Matches(Body("""{"detail":{"startMonthYear":"2020-02-01"}}"""), Stored(StoredPosition)));
    }

    [Fact]
    public void ObjectListItemsCompareMemberByMember()
    {
        var stored = Stored("""{"id":"p2","colleagues":[{"displayName":"Megan","relationship":"colleague","userPrincipalName":"megan@contoso.com"}]}""");
        Assert.True(PositionMatcher.Matches(Body("""{"colleagues":[{"displayName":"Megan","relationship":"Colleague"}]}"""), stored));
        Assert.False(PositionMatcher.Matches(Body("""{"colleagues":[{"displayName":"Alex"}]}"""), stored));
        Assert.False(PositionMatcher.Matches(Body("""{"colleagues":[{"displayName":"Megan"},{"displayName":"Alex"}]}"""), stored));
    }
}
