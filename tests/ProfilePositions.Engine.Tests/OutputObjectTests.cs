using System.Collections;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>The output objects' read-only views, their dates and their text forms (issue 8, "Output objects").</summary>
public sealed class OutputObjectTests
{
    private static WorkPosition Dated()
    {
        var detail = new PositionDetail { JobTitle = "Analyst", StartMonthYear = "2016-04-01", Company = new CompanyDetail { DisplayName = "Contoso", Department = null } };
        return new WorkPosition { Detail = detail, UserId = "adele@contoso.com" };
    }

    [Fact]
    public void TheViewsReadTheNestedMembers()
    {
        var position = Dated();

        Assert.Equal("Analyst", position.JobTitle);
        Assert.Equal("Contoso", position.CompanyName);
        Assert.Null(position.Department);
        Assert.Equal("2016-04-01", position.StartMonthYear);
        Assert.Null(position.EndMonthYear);
    }

    [Fact]
    public void ToStringIsCompactJsonWithoutNullsAndAnEmptyBagIsNull()
    {
        var position = Dated();

        Assert.Equal("""{"jobTitle":"Analyst","startMonthYear":"2016-04-01","company":{"displayName":"Contoso"}}""", position.Detail!.ToString());
        Assert.Null(position.Detail.AdditionalProperties);
        Assert.Empty(position.Detail.GetAdditionalProperties());
        Assert.Contains("\"department\":null", GraphJsonText.Write(position.Detail), StringComparison.Ordinal);
    }

    [Fact]
    public void MonthYearComparesAsADateAndKeepsGraphsText()
    {
        var start = new MonthYear("2016-04-01");

        Assert.Equal(new DateTime(2016, 4, 1), start.Date);
        Assert.True(start < (MonthYear)new DateTime(2030, 1, 1));
        Assert.True(start.CompareTo(new DateTime(2015, 12, 31)) > 0);
        Assert.Equal(new MonthYear("2016-04"), start);
        Assert.Equal("2016-04-01", start.ToString());
        Assert.Equal("2016-04", start.ToString("yyyy-MM", null));
        Assert.Equal(new DateTime(2016, 4, 1), (DateTime)start);
    }

    [Fact]
    public void MonthYearKeepsTextThatIsNotADateAndSortsItFirst()
    {
        var placeholder = new MonthYear("datetime-value");

        Assert.Null(placeholder.Date);
        Assert.Equal("datetime-value", placeholder.ToString("yyyy-MM", null));
        Assert.True(placeholder < new MonthYear("1900-01-01"));
        Assert.Throws<InvalidCastException>(() => (DateTime)placeholder);
    }

    [Fact]
    public void TheListTextShowsMembersWithValuesFirstAndNestedObjectsBelowTheirName()
    {
        var text = GraphListText.Write(Dated().Detail).Replace("\r\n", "\n");

        Assert.Equal("JobTitle       : Analyst\nStartMonthYear : 2016-04\nCompany        :\n  DisplayName : Contoso", text);
    }

    [Fact]
    public void ABodyDropsViewsThatAgreeAndSendsANestedMonthYearAsText()
    {
        var body = PositionBody.FromInput(new Hashtable
        {
            ["Detail"] = new Hashtable { ["JobTitle"] = "Analyst", ["StartMonthYear"] = new MonthYear("2016-04-01") },
            ["JobTitle"] = "Analyst",
            ["StartMonthYear"] = "2016-04",
            ["CompanyName"] = null,
        });

        Json.Equal("""{"detail":{"jobTitle":"Analyst","startMonthYear":"2016-04-01"}}""", body.ToJson());
        Assert.Empty(body.Warnings);
    }

    [Fact]
    public void ABodyFailsWhenAViewDisagreesAndWarnsWhenItsMemberIsMissing()
    {
        var conflict = Assert.Throws<PositionInputException>(() => PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["jobTitle"] = "Analyst" }, ["JobTitle"] = "Edited" }));
        var alone = PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["role"] = "r" }, ["Department"] = "R&D" });

        Assert.Contains("'JobTitle' ('Edited') disagrees with 'detail.jobTitle' ('Analyst')", conflict.Message, StringComparison.Ordinal);
        Assert.Equal("""{"detail":{"role":"r"}}""", alone.ToJson());
        Assert.Contains(alone.Warnings, warning => warning.Contains("'Department' is a read-only view", StringComparison.Ordinal));
    }

    [Fact]
    public void ARowsFlatColumnMustAgreeWithItsDetailColumn()
    {
        var options = new PositionBodyOptions();
        foreach (var name in new[] { "Detail", "JobTitle", "CompanyName", "StartMonthYear" })
        {
            options.RowParameters.Add(name);
        }

        var detail = """{"jobTitle":"Analyst","startMonthYear":"2016-04-01","company":{"displayName":"Contoso"}}""";
        var agreeing = PositionBody.FromParameters(new Dictionary<string, object?> { ["Detail"] = detail, ["JobTitle"] = "Analyst", ["CompanyName"] = "Contoso", ["StartMonthYear"] = "2016-04" }, options);
        var conflict = Assert.Throws<PositionInputException>(() =>
            PositionBody.FromParameters(new Dictionary<string, object?> { ["Detail"] = detail, ["CompanyName"] = "Fabrikam" }, options));
        var commandLine = PositionBody.FromParameters(new Dictionary<string, object?> { ["Detail"] = detail, ["JobTitle"] = "Lead" });

        Json.Equal(detail.Insert(0, """{"detail":""") + "}", agreeing.ToJson());
        Assert.Equal("The column CompanyName ('Fabrikam') disagrees with detail.company.displayName in the Detail column ('Contoso'); give one of them, or the same value in both.", conflict.Message);
        Assert.Equal("Lead", commandLine.Value.Detail!.JobTitle);
    }
}
