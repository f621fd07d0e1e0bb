using System.Collections;
using System.Collections.Specialized;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

public sealed class PositionBodyTests
{
    // graph-api.md §1.3, request body of the documented create example.
    private const string DocumentedJson = """
        {
          "detail": {
            "company": {
              "displayName": "Adventureworks Ltd.",
              "department": "Consulting",
              "officeLocation": "AW23/344",
              "address": {
                "type": "business",
                "street": "123 Patriachy Ponds",
                "city": "Moscow",
                "countryOrRegion": "Russian Federation",
                "postalCode": "RU-34621"
              },
              "webUrl": "https://www.adventureworks.com"
            },
            "jobTitle": "Senior Product Branding Manager II",
            "role": "consulting"
          },
          "isCurrent": true
        }
        """;

    /// <summary>The PowerShell example's $params, built the way PowerShell builds @{ }: plain Hashtables.</summary>
    internal static Hashtable DocumentedHashtable() => new()
    {
        ["detail"] = new Hashtable
        {
            ["company"] = new Hashtable
            {
                ["displayName"] = "Adventureworks Ltd.",
                ["department"] = "Consulting",
                ["officeLocation"] = "AW23/344",
                ["address"] = new Hashtable
                {
                    ["type"] = "business",
                    ["street"] = "123 Patriachy Ponds",
                    ["city"] = "Moscow",
                    ["countryOrRegion"] = "Russian Federation",
                    ["postalCode"] = "RU-34621",
                },
                ["webUrl"] = "https://www.adventureworks.com",
            },
            ["jobTitle"] = "Senior Product Branding Manager II",
            ["role"] = "consulting",
        },
        ["isCurrent"] = true,
    };

    [Fact]
    public void DocumentedExampleProducesTheDocumentedJsonExactly()
    {
        var body = PositionBody.FromInput(DocumentedHashtable());

        Assert.Equal(Json.Canonical(DocumentedJson), body.ToJson());
        Assert.Empty(body.Warnings);
        Assert.Equal("Senior Product Branding Manager II", body.Value.Detail!.JobTitle);
        Assert.Equal("business", body.Value.Detail.Company!.Address!.Type);
    }

    [Fact]
    public void CaseSensitiveOrderedDictionaryWithOtherCasingIsMatchedAndSentInCamelCase()
    {
        // ConvertFrom-Json -AsHashtable gives a case-sensitive ordered dictionary; users type keys in any case.
        var company = new OrderedDictionary(StringComparer.Ordinal) { ["DisplayName"] = "Contoso", ["ADDRESS"] = new OrderedDictionary(StringComparer.Ordinal) { ["City"] = "Oslo", ["TYPE"] = "Business" } };
        var input = new OrderedDictionary(StringComparer.Ordinal)
        {
            ["IsCurrent"] = "True",
            ["Detail"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["JOBTITLE"] = "Engineer", ["Company"] = company },
        };

        var body = PositionBody.FromInput(input);

        Json.Equal("""{"isCurrent":true,"detail":{"jobTitle":"Engineer","company":{"displayName":"Contoso","address":{"city":"Oslo","type":"business"}}}}""", body.ToJson());
        Assert.Empty(body.Warnings);
    }

    [Fact]
    public void NestedArraysOfHashtablesBecomeObjects()
    {
        var input = new Hashtable
        {
            ["colleagues"] = new object[] { new Hashtable { ["displayName"] = "Ann", ["relationship"] = "Colleague" }, new Hashtable { ["DisplayName"] = "Bo", ["relationship"] = "directReport" } },
            ["categories"] = new object[] { "a", "b" },
        };

        var body = PositionBody.FromInput(input);

        Json.Equal("""{"categories":["a","b"],"colleagues":[{"displayName":"Ann","relationship":"colleague"},{"displayName":"Bo","relationship":"directReport"}]}""", body.ToJson());
        Assert.Equal(2, body.Value.Colleagues!.Count);
        Assert.DoesNotContain("DictionaryEntry", body.ToJson());
    }

    [Fact]
    public void UnknownKeysAreSentAsGivenWithAWarning()
    {
        var input = new OrderedDictionary { ["isCurrent"] = false, ["futureThing"] = new Hashtable { ["Nested"] = 1 }, ["detail"] = new Hashtable { ["newDetailField"] = "x" } };

        var body = PositionBody.FromInput(input);

        Json.Equal("""{"isCurrent":false,"futureThing":{"Nested":1},"detail":{"newDetailField":"x"}}""", body.ToJson());
        Assert.Contains(body.Warnings, w => w.Contains("'futureThing'") && w.Contains("sent as given"));
        Assert.Contains(body.Warnings, w => w.Contains("'detail.newDetailField'"));
        Assert.Equal("x", body.Value.Detail!.AdditionalProperties!["newDetailField"]);
    }

    [Fact]
    public void ExplicitNullIsSentAsJsonNull()
    {
        var input = new OrderedDictionary { ["detail"] = new OrderedDictionary { ["endMonthYear"] = null, ["company"] = null }, ["manager"] = null };

        var body = PositionBody.FromInput(input);

        Json.Equal("""{"detail":{"endMonthYear":null,"company":null},"manager":null}""", body.ToJson());
        Assert.True(body.Value.Detail!.HasMember("endMonthYear"));
    }

    [Fact]
    public void ReadOnlyMembersAreDroppedWithAWarning()
    {
        var input = new OrderedDictionary
        {
            ["id"] = "abc",
            ["createdDateTime"] = "2020-07-06T06:34:12Z",
            ["lastModifiedDateTime"] = "2020-07-06T06:34:12Z",
            ["createdBy"] = new Hashtable(),
            ["LastModifiedBy"] = new Hashtable(),
            ["isCurrent"] = true,
        };

        var body = PositionBody.FromInput(input);

        Json.Equal("""{"isCurrent":true}""", body.ToJson());
        Assert.Equal(5, body.Warnings.Count(w => w.Contains("cannot be written")));
    }

    [Fact]
    public void AWorkPositionReadFromGraphCanBeSentBackWithoutItsServerMembers()
    {
        var position = PositionReader.ReadPosition((GraphJson.Parse(PositionReaderTests.DocumentedGetResponse)), "me");

        // The docs' placeholder date is not a date: refused before anything is sent, naming the member.
        var refused = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(position));
        Assert.Equal("detail.startMonthYear", refused.Member);

        position.Detail!.StartMonthYear = "2019-04-01";
        var corrected = PositionBody.FromInput(position);
        Assert.False(corrected.Value.HasMember("id"));
        Assert.False(corrected.Value.HasMember("createdBy"));
        Assert.Contains("\"startMonthYear\":\"2019-04-01\"", corrected.ToJson());
        Assert.Contains("\"pronunciation\":null", corrected.ToJson());
    }

    [Theory]
    [InlineData("2021-03-15", "2021-03-15")]
    [InlineData("2021-03", "2021-03-01")]
    [InlineData(" 2021-11 ", "2021-11-01")]
    [InlineData("2020-07-06T06:34:12Z", "2020-07-06")]
    [InlineData("2020-07-06 06:34:12", "2020-07-06")]
    [InlineData("20200706", "2020-07-06")]
    public void DatesAreAcceptedAsDayMonthOrTimestamp(string given, string sent)
    {
        var body = PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["startMonthYear"] = given } });

        Assert.Equal(sent, body.Value.Detail!.StartMonthYear);
    }

    [Fact]
    public void ADateTimeIsSentAsItsDate()
    {
        // As Microsoft's cmdlets send a DateTime; a text date keeps its day the same way, so both match alike.
        var body = PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["endMonthYear"] = new DateTime(2023, 5, 17, 10, 0, 0) } });

        Assert.Equal("2023-05-17", body.Value.Detail!.EndMonthYear);
    }

    [Theory]
    [InlineData("datetime-value")]
    [InlineData("2021-13")]
    [InlineData("15/03/2021")]
    [InlineData("2021-02-30")]
    public void BadDatesAreRefusedNamingTheMember(string given)
    {
        var error = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["Detail"] = new Hashtable { ["StartMonthYear"] = given } }));

        Assert.Equal("detail.startMonthYear", error.Member);
        Assert.Contains("yyyy-MM", error.Message);
        Assert.Equal("InvalidPositionInput", error.ErrorId);
    }

    [Theory]
    [InlineData("maybe")]
    [InlineData(3)]
    public void BadBooleansAreRefused(object given)
    {
        var error = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["isCurrent"] = given }));

        Assert.Equal("isCurrent", error.Member);
    }

    [Theory]
    [InlineData("False", false)]
    [InlineData("true", true)]
    [InlineData(true, true)]
    [InlineData("Yes", true)]
    [InlineData("NO", false)]
    [InlineData("1", true)]
    [InlineData("0", false)]
    [InlineData(" yes ", true)]
    public void BooleansAcceptTextFromCsv(object given, bool sent)
    {
        Assert.Equal(sent, PositionBody.FromInput(new Hashtable { ["IsCurrent"] = given }).Value.IsCurrent);
    }

    [Theory]
    [InlineData("Organization", "organization")]
    [InlineData("organization, federatedOrganizations", "organization,federatedOrganizations")]
    public void AllowedAudiencesAcceptNamesAndCombinations(object given, string sent)
    {
        Assert.Equal(sent, PositionBody.FromInput(new Hashtable { ["allowedAudiences"] = given }).Value.AllowedAudiences);
    }

    [Fact]
    public void BadEnumValuesAreRefusedListingTheValidOnes()
    {
        var error = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["allowedAudiences"] = "world" }));
        Assert.Contains("organization", error.Message);

        var address = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["company"] = new Hashtable { ["address"] = new Hashtable { ["type"] = "office" } } } }));
        Assert.Equal("detail.company.address.type", address.Member);
        Assert.Contains("business", address.Message);
    }

    [Fact]
    public void NumbersAreChecked()
    {
        Assert.Equal(3, PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["layer"] = "3" } }).Value.Detail!.Layer);
        Assert.Equal(0.75, PositionBody.FromInput(new Hashtable { ["inference"] = new Hashtable { ["confidenceScore"] = "0.75" } }).Value.Inference!.ConfidenceScore);

        var error = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["layer"] = "three" } }));
        Assert.Equal("detail.layer", error.Member);
    }

    [Fact]
    public void ComplexValuesMayBeJsonTextAsCsvCellsCarryThem()
    {
        var body = PositionBody.FromInput(new Hashtable
        {
            ["detail"] = """{"JobTitle":"Dev","company":{"displayName":"Fabrikam"}}""",
            ["categories"] = """["x","y"]""",
            ["colleagues"] = """[{"displayName":"Ann"}]""",
        });

        Assert.Equal("Dev", body.Value.Detail!.JobTitle);
        Assert.Equal("Fabrikam", body.Value.Detail.Company!.DisplayName);
        Assert.Equal(new[] { "x", "y" }, body.Value.Categories!);
        Assert.Equal("Ann", body.Value.Colleagues![0].DisplayName);
    }

    [Fact]
    public void AWholeBodyMayBeJsonText()
    {
        var body = PositionBody.FromInput("""{"IsCurrent":true,"detail":{"jobTitle":"Dev"}}""");

        Json.Equal("""{"isCurrent":true,"detail":{"jobTitle":"Dev"}}""", body.ToJson());
    }

    [Fact]
    public void NonObjectsAndBrokenJsonAreRefused()
    {
        Assert.Throws<PositionInputException>(() => PositionBody.FromInput(null));
        Assert.Throws<PositionInputException>(() => PositionBody.FromInput(42));
        var broken = Assert.Throws<PositionInputException>(() => PositionBody.FromInput("{not json"));
        Assert.Equal("BodyParameter", broken.Member);
        var detail = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["detail"] = "just text" }));
        Assert.Equal("detail", detail.Member);
    }

    [Fact]
    public void KeysGivenTwiceInDifferentCaseAreRefused()
    {
        var input = new OrderedDictionary(StringComparer.Ordinal) { ["isCurrent"] = true, ["IsCurrent"] = false };

        Assert.Throws<PositionInputException>(() => PositionBody.FromInput(input));
    }

    [Fact]
    public void SourceTypeAcceptsOneStringOrAList()
    {
        Assert.Equal(new[] { "User" }, PositionBody.FromInput(new Hashtable { ["source"] = new Hashtable { ["type"] = "User" } }).Value.Source!.Type!);
        Assert.Equal(new[] { "a", "b" }, PositionBody.FromInput(new Hashtable { ["source"] = new Hashtable { ["type"] = new[] { "a", "b" } } }).Value.Source!.Type!);
    }

    [Fact]
    public void UserIdFromOutputObjectsIsNotSent()
    {
        var body = PositionBody.FromInput(new Hashtable { ["UserId"] = "adele@contoso.com", ["isCurrent"] = true });

        Json.Equal("""{"isCurrent":true}""", body.ToJson());
        Assert.Contains(body.Warnings, w => w.Contains("-UserId"));
    }

    [Fact]
    public void TextIsWrittenReadably()
    {
        var body = PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["jobTitle"] = "O'Neil & Søn <QA>" } });

        Assert.Equal("""{"detail":{"jobTitle":"O'Neil & Søn <QA>"}}""", body.ToJson());
    }

    [Fact]
    public void ParametersBuildTheBodyWithFlatConveniencesOverridingDetail()
    {
        var parameters = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase)
        {
            ["UserId"] = "adele@contoso.com",
            ["Verbose"] = true,
            ["Detail"] = new Hashtable { ["jobTitle"] = "Old", ["role"] = "kept" },
            ["JobTitle"] = "New",
            ["CompanyName"] = "Contoso",
            ["City"] = "Oslo",
            ["AddressType"] = "Home",
            ["StartMonthYear"] = new DateTime(2020, 7, 9),
            ["Layer"] = "2",
            ["IsCurrent"] = "True",
            ["AllowedAudiences"] = "organization",
            ["Categories"] = new[] { "imported" },
            ["Department"] = "",
        };

        var body = PositionBody.FromParameters(parameters);

        Json.Equal(
            """{"allowedAudiences":"organization","categories":["imported"],"detail":{"jobTitle":"New","role":"kept","startMonthYear":"2020-07-09","layer":2,"company":{"displayName":"Contoso","address":{"city":"Oslo","type":"home"}}},"isCurrent":true}""",
            body.ToJson());
    }

    [Fact]
    public void ParametersKeepExplicitNullAndSkipEmptyCells()
    {
        var body = PositionBody.FromParameters(new Dictionary<string, object?> { ["EndMonthYear"] = null, ["Manager"] = null, ["Summary"] = "", ["Colleagues"] = "" });

        Json.Equal("""{"manager":null,"detail":{"endMonthYear":null}}""", body.ToJson());
    }

    [Fact]
    public void ParameterErrorsNameTheParameter()
    {
        var error = Assert.Throws<PositionInputException>(() => PositionBody.FromParameters(new Dictionary<string, object?> { ["StartMonthYear"] = "soon" }));

        Assert.Equal("StartMonthYear", error.Member);
    }

    [Fact]
    public void AdditionalPropertiesAreSentWithoutWarningsAndExplicitParametersWin()
    {
        var body = PositionBody.FromParameters(new Dictionary<string, object?>
        {
            ["IsCurrent"] = true,
            ["AdditionalProperties"] = """{"isCurrent":false,"newFacet":{"a":1},"ISSEARCHABLE":"true"}""",
        });

        Json.Equal("""{"isCurrent":true,"newFacet":{"a":1},"isSearchable":true}""", body.ToJson());
        Assert.Empty(body.Warnings);
    }

    [Fact]
    public void AnEmptyBodyIsReportedAsEmpty()
    {
        Assert.True(PositionBody.FromParameters(new Dictionary<string, object?> { ["UserId"] = "x" }).IsEmpty);
        Assert.False(PositionBody.FromInput(new Hashtable { ["isCurrent"] = true }).IsEmpty);
    }

    [Theory]
    [InlineData("8")]
    [InlineData(8)]
    [InlineData(10)]
    [InlineData("organization,8")]
    public void NumbersAreRefusedForEnumsOnInput(object given)
    {
        var error = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["allowedAudiences"] = given }));

        Assert.Contains("Numbers are not accepted", error.Message);
        Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["manager"] = new Hashtable { ["relationship"] = 2 } }));
    }

    [Theory]
    [InlineData("2019-04", "2019-04-01")]
    [InlineData("2019-04-15", "2019-04-15")]
    [InlineData("2019-04-01T00:00:00", "2019-04-01")]
    [InlineData("2019/04/15", "2019-04-15")]
    [InlineData("2019/04", "2019-04-01")]
    [InlineData("04/2019", "2019-04-01")]
    [InlineData("April 2019", "2019-04-01")]
    [InlineData("Apr 2019", "2019-04-01")]
    [InlineData("1 April 2019", "2019-04-01")]
    [InlineData("April 15, 2019", "2019-04-15")]
    [InlineData("15-Apr-2019", "2019-04-15")]
    public void UnambiguousDatesAreAlwaysAccepted(string given, string sent)
    {
        Assert.Equal(sent, PositionBody.FromParameters(new Dictionary<string, object?> { ["StartMonthYear"] = given }).Value.Detail!.StartMonthYear);
    }

    [Theory]
    [InlineData("4/1/2019")]
    [InlineData("01.04.2019")]
    [InlineData("1-4-19")]
    public void NumericDayMonthDatesAreRefusedWithoutACulture(string given)
    {
        var error = Assert.Throws<PositionInputException>(() => PositionBody.FromParameters(new Dictionary<string, object?> { ["StartMonthYear"] = given }));

        Assert.Contains("-DateCulture", error.Message);
        Assert.Contains("numeric day/month date", error.Message);
    }

    [Theory]
    [InlineData("4/1/2019", "en-US", "2019-04-01")]
    [InlineData("4/1/2019", "en-GB", "2019-01-04")]
    [InlineData("01.04.2019", "de-DE", "2019-04-01")]
    [InlineData("avril 2019", "fr-FR", "2019-04-01")]
    public void ACultureReadsItsOwnNumericDatesAndMonthNames(string given, string culture, string sent)
    {
        var options = new PositionBodyOptions { DateCulture = System.Globalization.CultureInfo.GetCultureInfo(culture) };

        Assert.Equal(sent, PositionBody.FromParameters(new Dictionary<string, object?> { ["StartMonthYear"] = given }, options).Value.Detail!.StartMonthYear);
    }

    [Fact]
    public void AnEndBeforeTheStartIsRefused()
    {
        var error = Assert.Throws<PositionInputException>(() => PositionBody.FromParameters(new Dictionary<string, object?> { ["StartMonthYear"] = "2019-04", ["EndMonthYear"] = "2018-12" }));

        Assert.Equal("EndMonthYear", error.Member);
        Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["startMonthYear"] = "2019-04-01", ["endMonthYear"] = "2019-03-31" } }));
        Assert.NotNull(PositionBody.FromParameters(new Dictionary<string, object?> { ["StartMonthYear"] = "2019-04", ["EndMonthYear"] = "2019-04" }));
    }

    [Fact]
    public void LongTextIsSentAsGiven()
    {
        var text = new string('x', 10 * 1024);

        Assert.Equal(text, PositionBody.FromParameters(new Dictionary<string, object?> { ["Description"] = text }).Value.Detail!.Description);
    }

    [Fact]
    public void TheOutputObjectsHelperMemberAdditionalPropertiesIsOpenedUpAtEveryDepth()
    {
        // What ConvertTo-Json of Get-ProfilePosition writes: AdditionalProperties as an object (or, below -Depth, as its text).
        var input = new Hashtable
        {
            ["detail"] = new Hashtable { ["jobTitle"] = "Engineer", ["AdditionalProperties"] = new Hashtable(), ["company"] = new Hashtable { ["displayName"] = "Contoso", ["AdditionalProperties"] = "{}" } },
            ["AdditionalProperties"] = new Hashtable { ["newBetaMember"] = "kept" },
        };

        var body = PositionBody.FromInput(input);

        Json.Equal("""{"detail":{"company":{"displayName":"Contoso"},"jobTitle":"Engineer"},"newBetaMember":"kept"}""", body.ToJson());
        Assert.Empty(body.Warnings);
    }

    [Fact]
    public void InARowNullsMeanNotGivenAtEveryDepth()
    {
        var row = new Hashtable { ["detail"] = new Hashtable { ["jobTitle"] = "Engineer", ["role"] = null, ["company"] = new Hashtable { ["displayName"] = null, ["department"] = "R&D" } }, ["manager"] = null };

        var fromRow = PositionBody.FromInput(row, new PositionBodyOptions { NullsAreNotGiven = true });
        var fromCommandLine = PositionBody.FromInput(row);

        Json.Equal("""{"detail":{"company":{"department":"R&D"},"jobTitle":"Engineer"}}""", fromRow.ToJson());
        Assert.Contains("\"role\":null", fromCommandLine.ToJson());
    }
}
