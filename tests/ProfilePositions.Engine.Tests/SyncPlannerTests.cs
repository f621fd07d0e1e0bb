using System.Collections.Generic;
using System.Linq;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;
using ProfilePositions.Engine.Sync;

namespace ProfilePositions.Engine.Tests;

/// <summary>What Sync-ProfilePosition plans for one user from its rows and the stored positions (no Graph involved).</summary>
public sealed class SyncPlannerTests
{
    private static WorkPosition Stored(string json) => PositionReader.ReadPosition(GraphJson.Parse(json), "u1");

    private static int _row;

    private static DesiredRow Row(Dictionary<string, object?> parameters, params string[] cleared)
    {
        var options = new PositionBodyOptions();
        foreach (var key in parameters.Keys)
        {
            options.RowParameters.Add(key);
        }

        return new DesiredRow(++_row, PositionBody.FromParameters(parameters, options), cleared);
    }

    private static DesiredRow Row(string title, string company, string? start, string? department = null)
    {
        var values = new Dictionary<string, object?> { ["JobTitle"] = title, ["CompanyName"] = company };
        if (start != null)
        {
            values["StartMonthYear"] = start;
        }

        if (department != null)
        {
            values["Department"] = department;
        }

        return Row(values);
    }

    private static WorkPosition Position(string id, string title, string company, string? start, string? department = null, string extra = "") =>
        Stored("{\"id\":\"" + id + "\"" + extra + ",\"detail\":{\"jobTitle\":\"" + title + "\"" + (start == null ? string.Empty : ",\"startMonthYear\":\"" + start + "\"") +
               ",\"company\":{\"displayName\":\"" + company + "\"" + (department == null ? string.Empty : ",\"department\":\"" + department + "\"") + "}}}");

    private static SyncUserPlan Plan(IReadOnlyList<DesiredRow> rows, IReadOnlyList<WorkPosition> stored, bool removeUnlisted = false, SyncKey? key = null) =>
        new SyncPlanner(key ?? SyncKey.Default, removeUnlisted).Plan("u1", rows, stored);

    [Fact]
    public void RowsWithoutAStoredMatchAreCreatedAndEqualOnesAreLeftAlone()
    {
        var plan = Plan(
            new[] { Row("Engineer", "Contoso", "2020-03", "R&D"), Row("Lead", "Contoso", "2022-01-01") },
            new[] { Position("p1", "Engineer", "Contoso", "2020-03-01", "R&D") });

        Assert.Null(plan.Failure);
        Assert.Equal(new[] { SyncStep.Unchanged, SyncStep.Create }, plan.Actions.Select(action => action.Step));
        Assert.Equal("p1", plan.Actions[0].Stored!.Id);
        Assert.Equal("Engineer | Contoso | 2020-03", plan.Actions[0].Key);
        Assert.Contains("\"jobTitle\":\"Lead\"", plan.Actions[1].Body!.ToJson());
    }

    [Fact]
    public void ADifferingMemberIsOnePatchWithThatMemberAlone()
    {
        var plan = Plan(new[] { Row("Engineer", "Contoso", "2020-03", "Marketing") }, new[] { Position("p1", "Engineer", "Contoso", "2020-03-01", "R&D", ",\"isCurrent\":true") });

        var update = Assert.Single(plan.Actions);
        Assert.Equal(SyncStep.Update, update.Step);
        Assert.Equal("{\"detail\":{\"company\":{\"department\":\"Marketing\"}}}", update.Body!.ToJson());
        var change = Assert.Single(update.Changes);
        Assert.Equal("detail.company.department: 'R&D' -> 'Marketing'", change.ToString());
    }

    [Theory]
    [InlineData("2020-03", "2020-03-01")]
    [InlineData("2020-03-01", "2020-03-01")]
    [InlineData("March 2020", "2020-03-01")]
    public void DatesCompareByMonthSoYearMonthIsTheFirstOfTheMonth(string given, string stored)
    {
        var plan = Plan(new[] { Row("Engineer", "Contoso", given) }, new[] { Position("p1", "Engineer", "Contoso", stored) });
        Assert.Equal(SyncStep.Unchanged, Assert.Single(plan.Actions).Step);
    }

    [Fact]
    public void KeysMatchCaseInsensitivelyAndACaseFixIsAnUpdateOfThatMember()
    {
        var plan = Plan(new[] { Row("engineer ", "CONTOSO", "2020-03") }, new[] { Position("p1", "Engineer", "Contoso", "2020-03-01") });

        var update = Assert.Single(plan.Actions);
        Assert.Equal(SyncStep.Update, update.Step);
        Assert.Equal("p1", update.Stored!.Id);
        Assert.Equal(new[] { "detail.jobTitle", "detail.company.displayName" }, update.Changes.Select(change => change.Member));
    }

    [Fact]
    public void AudiencesCompareInCanonicalFormInAnyOrderAndCase()
    {
        var row = Row(new Dictionary<string, object?> { ["JobTitle"] = "Engineer", ["CompanyName"] = "Contoso", ["AllowedAudiences"] = new[] { "Contacts", "organization" } });
        var plan = Plan(new[] { row }, new[] { Stored("""{"id":"p1","allowedAudiences":"organization,contacts","detail":{"jobTitle":"Engineer","company":{"displayName":"Contoso"}}}""") });
        Assert.Equal(SyncStep.Unchanged, Assert.Single(plan.Actions).Step);

        var narrower = Row(new Dictionary<string, object?> { ["JobTitle"] = "Engineer", ["CompanyName"] = "Contoso", ["AllowedAudiences"] = "organization" });
        var changed = Plan(new[] { narrower }, new[] { Stored("""{"id":"p1","allowedAudiences":"organization,contacts","detail":{"jobTitle":"Engineer","company":{"displayName":"Contoso"}}}""") });
        Assert.Equal(SyncStep.Update, Assert.Single(changed.Actions).Step);
        Assert.Equal("{\"allowedAudiences\":\"organization\"}", changed.Actions[0].Body!.ToJson());
    }

    [Fact]
    public void AnEmptyCellIsNotManagedButClearEmptyClearsAStoredValue()
    {
        var stored = new[] { Position("p1", "Engineer", "Contoso", "2020-03-01", "R&D") };

        var untouched = Plan(new[] { Row("Engineer", "Contoso", "2020-03") }, stored);
        Assert.Equal(SyncStep.Unchanged, Assert.Single(untouched.Actions).Step);

        var rowClearing = Row(new Dictionary<string, object?> { ["JobTitle"] = "Engineer", ["CompanyName"] = "Contoso", ["StartMonthYear"] = "2020-03" }, "detail/company/department", "detail/role");
        var cleared = Plan(new[] { rowClearing }, stored);
        var update = Assert.Single(cleared.Actions);
        Assert.Equal(SyncStep.Update, update.Step);
        Assert.Equal("{\"detail\":{\"company\":{\"department\":null}}}", update.Body!.ToJson());
        Assert.Equal("detail.company.department: 'R&D' -> (cleared)", Assert.Single(update.Changes).ToString());
    }

    [Fact]
    public void AnEmptyKeyCellIsAnEmptyKeyMember()
    {
        var plan = Plan(
            new[] { Row("Engineer", "Contoso", null) },
            new[] { Position("p1", "Engineer", "Contoso", "2020-03-01"), Position("p2", "Engineer", "Contoso", null) });

        Assert.Equal(new[] { SyncStep.Unchanged, SyncStep.Unlisted }, plan.Actions.Select(action => action.Step));
        Assert.Equal("p2", plan.Actions[0].Stored!.Id);
        Assert.Equal("p1", plan.Actions[1].Stored!.Id);
    }

    [Fact]
    public void StoredPositionsNoRowNamesAreUnlistedOrRemovedWithRemoveUnlisted()
    {
        var rows = new[] { Row("Engineer", "Contoso", "2020-03") };
        var stored = new[] { Position("p1", "Engineer", "Contoso", "2020-03-01"), Position("p2", "Intern", "Contoso", "2019-06-01") };

        Assert.Equal(new[] { SyncStep.Unchanged, SyncStep.Unlisted }, Plan(rows, stored).Actions.Select(action => action.Step));
        var removing = Plan(rows, stored, removeUnlisted: true);
        Assert.Equal(new[] { SyncStep.Unchanged, SyncStep.Remove }, removing.Actions.Select(action => action.Step));
        Assert.Equal("p2", removing.Actions[1].Stored!.Id);
        Assert.Equal(50, SyncRemoveGuard.RemovePercent(new[] { removing }, out var removes, out var total, out _));
        Assert.Equal((1, 2), (removes, total));
    }

    [Fact]
    public void TwoRowsWithOneKeyFailTheUserNamingBothRows()
    {
        var first = Row("Engineer", "Contoso", "2020-03");
        var second = Row("ENGINEER", "Contoso", "2020-03-01", "R&D");
        var plan = Plan(new[] { first, second }, new[] { Position("p9", "Old", "Contoso", null) }, removeUnlisted: true);

        Assert.Empty(plan.Actions);
        var failure = Assert.IsType<PositionInputException>(plan.Failure);
        Assert.Equal("SyncDuplicateRowKey", failure.ErrorId);
        Assert.Contains("rows " + first.Number + " and " + second.Number, failure.Message);
        Assert.Contains("Nothing was changed for this user", failure.Message);
    }

    [Fact]
    public void TwoStoredPositionsWithARowsKeyFailTheUserNamingBothIds()
    {
        var plan = Plan(
            new[] { Row("Engineer", "Contoso", "2020-03"), Row("New", "Contoso", "2024-01") },
            new[] { Position("p1", "Engineer", "Contoso", "2020-03-01"), Position("p2", "Engineer", "contoso", "2020-03-15") });

        Assert.Empty(plan.Actions);
        var failure = Assert.IsType<PositionInputException>(plan.Failure);
        Assert.Equal("SyncDuplicateStoredKey", failure.ErrorId);
        Assert.Contains("p1, p2", failure.Message);
    }

    [Fact]
    public void StoredDuplicatesNoRowNamesAreNoAmbiguity()
    {
        var plan = Plan(
            new[] { Row("Engineer", "Contoso", "2020-03") },
            new[] { Position("p1", "Engineer", "Contoso", "2020-03-01"), Position("p2", "Old", "Contoso", null), Position("p3", "Old", "Contoso", null) },
            removeUnlisted: true);

        Assert.Null(plan.Failure);
        Assert.Equal(new[] { SyncStep.Unchanged, SyncStep.Remove, SyncStep.Remove }, plan.Actions.Select(action => action.Step));
    }

    [Fact]
    public void KeyTakesFlatNamesAndGraphPathsAndRefusesUnknownOnes()
    {
        Assert.Equal(new[] { "detail.employeeId", "detail.company.department" }, SyncKey.Parse(new[] { "EmployeeId", "detail/company/department" }).Paths);
        Assert.Equal(new[] { "detail.jobTitle", "detail.company.displayName", "detail.startMonthYear" }, SyncKey.Default.Paths);
        Assert.Equal(new[] { "detail.jobTitle" }, SyncKey.Parse(new[] { "jobtitle", "Detail.JobTitle" }).Paths);
        Assert.Equal("SyncKeyUnknown", Assert.Throws<PositionInputException>(() => SyncKey.Parse(new[] { "Salary" })).ErrorId);
        Assert.Throws<PositionInputException>(() => SyncKey.Parse(new[] { "detail" }));
        Assert.Throws<PositionInputException>(() => SyncKey.Parse(new[] { "id" }));
        Assert.Contains("Department", SyncKey.CompletionNames);
    }

    [Fact]
    public void AnotherKeyMatchesOnItsMembersAlone()
    {
        var key = SyncKey.Parse(new[] { "EmployeeId" });
        var row = Row(new Dictionary<string, object?> { ["EmployeeId"] = "E-1", ["JobTitle"] = "Senior Engineer" });
        var plan = Plan(new[] { row }, new[] { Stored("""{"id":"p1","detail":{"employeeId":"e-1","jobTitle":"Engineer"}}""") }, key: key);

        var update = Assert.Single(plan.Actions);
        Assert.Equal(SyncStep.Update, update.Step);
        Assert.Equal(new[] { "detail.employeeId", "detail.jobTitle" }, update.Changes.Select(change => change.Member).OrderBy(member => member, System.StringComparer.Ordinal));
    }
}
