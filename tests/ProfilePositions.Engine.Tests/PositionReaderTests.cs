using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

public sealed class PositionReaderTests
{
    // graph-api.md §1.2, the documented GET response (with its "datetime-value" placeholder).
    internal const string DocumentedGetResponse = """
        {
          "id": "0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f",
          "allowedAudiences": "organization",
          "inference": null,
          "createdDateTime": "2020-07-06T06:34:12.2294868Z",
          "createdBy": { "application": null, "device": null, "user": { "displayName": "Innocenty Popov", "id": "db789417-4ccb-41d1-a0a9-47b01a09ea49" } },
          "lastModifiedDateTime": "2020-07-06T06:34:12.2294868Z",
          "lastModifiedBy": { "application": null, "device": null, "user": { "displayName": "Innocenty Popov", "id": "db789417-4ccb-41d1-a0a9-47b01a09ea49" } },
          "source": null,
          "categories": null,
          "detail": {
            "company": {
              "displayName": "Adventureworks Ltd.",
              "pronunciation": null,
              "department": "Consulting",
              "companyCode": "A-101",
              "officeLocation": "AW23/344",
              "address": { "type": "business", "postOfficeBox": null, "street": "123 Patriachy Ponds", "city": "Moscow", "state": null, "countryOrRegion": "Russian Federation", "postalCode": "RU-34621" },
              "webUrl": "https://www.adventureworks.com"
            },
            "description": null,
            "endMonthYear": null,
            "jobTitle": "Senior Product Branding Manager II",
            "role": "consulting",
            "startMonthYear": "datetime-value",
            "summary": null
          },
          "manager": null,
          "colleagues": null,
          "isCurrent": true
        }
        """;

    private static WorkPosition Read(string json) => PositionReader.ReadPosition((GraphJson.Parse(json)), "adele@contoso.com");

    // The answer to a create is read straight from the parsed document (no plain dictionaries in between): it must give
    // exactly what reading the plain values gives, lenient rules, unknown members, repeated members and order included.
    [Theory]
    [InlineData(DocumentedGetResponse)]
    [InlineData("""{"id":"1","allowedAudiences":"8","isCurrent":"True","detail":{"layer":"3","jobTitle":7,"company":{"address":{"type":2}}},"extra":{"a":[1,2.5,{"b":null}]}}""")]
    [InlineData("""{"id":"1","id":"2","detail":{"jobTitle":"a"},"Detail":{"jobTitle":"b"},"JOBTITLE":1}""")]
    [InlineData("""{"colleagues":{"displayName":"one"},"sources":[{"type":["a"]},null],"manager":"text","categories":"one"}""")]
    [InlineData("""{"colleagues":[{"displayName":"a"},"b"],"sources":[],"inference":{"confidenceScore":"0.5"},"allowedAudiences":"organization, contacts"}""")]
    [InlineData("""{"allowedAudiences":10,"source":{"type":"User"},"detail":null,"isSearchable":1}""")]
    [InlineData("""[1,2]""")]
    [InlineData("""  "text" """)]
    public void ReadingFromTheDocumentGivesWhatReadingPlainValuesGives(string json)
    {
        var plain = Read(json);
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var direct = PositionReader.ReadPosition(document.RootElement, "adele@contoso.com");

        Assert.Equal(GraphJson.Write(plain), GraphJson.Write(direct));
        Assert.Equal(Shape(plain), Shape(direct));
        Assert.Equal(plain.UserId, direct.UserId);
    }

    // The CLR types of every member, at every depth, in order (Write alone would not tell a GraphObject from a dictionary).
    private static string Shape(object? value) => value switch
    {
        null => "null",
        GraphObject graph => graph.GetType().Name + "{" + string.Join(",", graph.GetMembers().Select(pair => pair.Key + ":" + Shape(pair.Value))) + "}",
        System.Collections.IDictionary map => map.GetType().Name + "{" + string.Join(",", map.Keys.Cast<object>().Select(key => key + ":" + Shape(map[key]))) + "}",
        string => "string",
        System.Collections.IEnumerable list => list.GetType().Name + "[" + string.Join(",", list.Cast<object?>().Select(Shape)) + "]",
        _ => value.GetType().Name,
    };

    [Fact]
    public void TheDocumentedResponseReadsWithItsPlaceholderDateKept()
    {
        var position = Read(DocumentedGetResponse);

        Assert.Equal("0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f", position.Id);
        Assert.Equal("adele@contoso.com", position.UserId);
        Assert.Equal("datetime-value", position.Detail!.StartMonthYear);
        Assert.Equal("A-101", position.Detail.Company!.CompanyCode);
        Assert.Equal("Innocenty Popov", position.CreatedBy!.User!.DisplayName);
        Assert.True(position.IsCurrent);
        Assert.Equal(new DateTimeOffset(2020, 7, 6, 6, 34, 12, TimeSpan.Zero), position.CreatedDateTime!.Value.AddTicks(-(position.CreatedDateTime.Value.Ticks % TimeSpan.TicksPerSecond)));
        Assert.True(position.HasMember("manager"));
        Assert.Null(position.Manager);
    }

    [Fact]
    public void WritingWhatWasReadGivesBackEveryMemberInOrder()
    {
        var position = Read(DocumentedGetResponse);

        Json.Equal(DocumentedGetResponse, GraphJson.Write(position));
    }

    [Fact]
    public void OldStringBooleansAndNumericEnumsAreRead()
    {
        var position = Read("""
            {"isCurrent":"True","isSearchable":"false","allowedAudiences":"8",
             "manager":{"displayName":"M","relationship":"0"},
             "colleagues":[{"displayName":"C","relationship":1},{"displayName":"D","relationship":"Colleague"}],
             "detail":{"company":{"address":{"type":"2"}},"layer":"4"},
             "inference":{"confidenceScore":"0.5","userHasVerifiedAccuracy":"True"}}
            """);

        Assert.True(position.IsCurrent);
        Assert.False(position.IsSearchable);
        Assert.Equal("organization", position.AllowedAudiences);
        Assert.Equal("manager", position.Manager!.Relationship);
        Assert.Equal(new[] { "colleague", "colleague" }, position.Colleagues!.Select(c => c.Relationship));
        Assert.Equal("business", position.Detail!.Company!.Address!.Type);
        Assert.Equal(4, position.Detail.Layer);
        Assert.Equal(0.5, position.Inference!.ConfidenceScore);
        Assert.True(position.Inference.UserHasVerifiedAccuracy);
    }

    [Theory]
    [InlineData("\"12\"", "groupMembers,organization")]
    [InlineData("\"0\"", "me")]
    [InlineData("\"organization,federatedOrganizations\"", "organization,federatedOrganizations")]
    [InlineData("\"somethingNew\"", "somethingNew")]
    [InlineData("\"999\"", "999")]
    public void FlagsAudiencesAreReadAsNamesAndUnknownValuesKept(string json, string expected)
    {
        Assert.Equal(expected, Read("{\"allowedAudiences\":" + json + "}").AllowedAudiences);
    }

    [Fact]
    public void SourceTypeMayBeOneStringOrAList()
    {
        Assert.Equal(new[] { "Entra" }, Read("""{"source":{"type":"Entra"}}""").Source!.Type!);
        Assert.Equal(new[] { "a", "b" }, Read("""{"source":{"type":["a","b"]}}""").Source!.Type!);
    }

    [Fact]
    public void UnknownMembersAreKeptAndSentBack()
    {
        var position = Read("""{"id":"1","@odata.type":"#microsoft.graph.workPosition","newThing":{"x":[1,2]},"detail":{"brandNew":"yes"},"createdBy":{"guest":{"id":"g"}}}""");

        Assert.Equal("#microsoft.graph.workPosition", position.AdditionalProperties!["@odata.type"]);
        Assert.Equal("yes", position.Detail!.AdditionalProperties!["brandNew"]);
        Assert.True(position.CreatedBy!.AdditionalProperties!.ContainsKey("guest"));
        Json.Equal("""{"id":"1","@odata.type":"#microsoft.graph.workPosition","newThing":{"x":[1,2]},"detail":{"brandNew":"yes"},"createdBy":{"guest":{"id":"g"}}}""", GraphJson.Write(position));
    }

    [Fact]
    public void ValuesOfTheWrongShapeNeverCrash()
    {
        var position = Read("""{"isCurrent":"sometimes","detail":"text instead of an object","colleagues":{"displayName":"single"},"categories":"one","manager":[1,2],"inference":{"confidenceScore":"high"}}""");

        Assert.Null(position.IsCurrent);
        Assert.Equal("sometimes", position.GetMember("isCurrent"));
        Assert.Null(position.Detail);
        Assert.Equal("text instead of an object", position.GetMember("detail"));
        Assert.Equal("single", position.Colleagues![0].DisplayName);
        Assert.Equal(new[] { "one" }, position.Categories!);
        Assert.Null(position.Manager);
        Assert.Null(position.Inference!.ConfidenceScore);
        Assert.NotEmpty(position.ToString());
        Assert.NotEmpty(GraphJson.Write(position));
    }

    [Fact]
    public void ResponseCasingIsNormalisedToGraphNames()
    {
        var position = Read("""{"IsCurrent":true,"Detail":{"JobTitle":"Dev"}}""");

        Assert.True(position.IsCurrent);
        Assert.Equal("Dev", position.Detail!.JobTitle);
    }

    [Fact]
    public void TheSchemaNamesTheSameMembersAsTheModels()
    {
        var modelNames = new Dictionary<string, IReadOnlyCollection<string>>
        {
            ["workPosition"] = WorkPosition.MemberNames,
            ["positionDetail"] = PositionDetail.MemberNames,
            ["companyDetail"] = CompanyDetail.MemberNames,
            ["physicalAddress"] = PhysicalAddress.MemberNames,
            ["relatedPerson"] = RelatedPerson.MemberNames,
            ["identitySet"] = IdentitySet.MemberNames,
            ["identity"] = Identity.MemberNames,
            ["inferenceData"] = InferenceData.MemberNames,
            ["personDataSources"] = PersonDataSources.MemberNames,
            ["profileSourceAnnotation"] = ProfileSourceAnnotation.MemberNames,
        };

        foreach (var type in PositionSchema.AllTypes)
        {
            Assert.Equal(modelNames[type.GraphName].OrderBy(n => n, StringComparer.Ordinal), type.Members.Select(m => m.Name).OrderBy(n => n, StringComparer.Ordinal));
        }
    }
}
