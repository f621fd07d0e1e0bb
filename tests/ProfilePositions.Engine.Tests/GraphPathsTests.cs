using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

public sealed class GraphPathsTests
{
    private static readonly Uri Root = new("https://graph.microsoft.com/");

    [Theory]
    [InlineData(null, "https://graph.microsoft.com/beta/me/profile/positions")]
    [InlineData("", "https://graph.microsoft.com/beta/me/profile/positions")]
    [InlineData("ME", "https://graph.microsoft.com/beta/me/profile/positions")]
    [InlineData("6e7b768e-07e2-4810-8459-485f84f8f204", "https://graph.microsoft.com/beta/users/6e7b768e-07e2-4810-8459-485f84f8f204/profile/positions")]
    [InlineData("adele@contoso.com", "https://graph.microsoft.com/beta/users/adele@contoso.com/profile/positions")]
    [InlineData("AdeleVance_adatum.com#EXT#@contoso.com", "https://graph.microsoft.com/beta/users/AdeleVance_adatum.com%23EXT%23@contoso.com/profile/positions")]
    [InlineData("$AdeleVance@contoso.com", "https://graph.microsoft.com/beta/users('$AdeleVance@contoso.com')/profile/positions")]
    [InlineData("$o'neil@contoso.com", "https://graph.microsoft.com/beta/users('$o''neil@contoso.com')/profile/positions")]
    [InlineData("o'neil@contoso.com", "https://graph.microsoft.com/beta/users/o'neil@contoso.com/profile/positions")]
    [InlineData("a^b~c!d@contoso.com", "https://graph.microsoft.com/beta/users/a%5Eb~c!d@contoso.com/profile/positions")]
    public void UsersAreAddressedAsGraphDocuments(string? userId, string expected)
    {
        Assert.Equal(expected, GraphPaths.PositionsUrl(Root, userId));
        Assert.Equal(expected, new Uri(expected).AbsoluteUri);
    }

    [Theory]
    [InlineData("../../me")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("x/../../groups")]
    [InlineData("x?$top=1")]
    [InlineData("x#fragment")]
    [InlineData("x%2F..%2Fy")]
    [InlineData("x\\..\\y")]
    [InlineData("$..")]
    [InlineData("a b&c=d+e")]
    public void NoUserIdCanChangeThePathShape(string userId)
    {
        var url = new Uri(GraphPaths.PositionsUrl(Root, userId, "p1"));

        Assert.Equal(string.Empty, url.Query);
        Assert.Equal(string.Empty, url.Fragment);
        var segments = url.AbsolutePath.Split('/');
        Assert.Equal(new[] { "", "beta" }, segments.Take(2));
        Assert.Equal(new[] { "profile", "positions", "p1" }, segments.TakeLast(3));
        var keyForm = segments.Length == 6 && segments[2].StartsWith("users('", StringComparison.Ordinal) && segments[2].EndsWith("')", StringComparison.Ordinal);
        var segmentForm = segments.Length == 7 && segments[2] == "users" && Uri.UnescapeDataString(segments[3]) == userId;
        Assert.True(keyForm || segmentForm, url.AbsoluteUri);
    }

    [Theory]
    [InlineData("../../me")]
    [InlineData("x/../../groups")]
    [InlineData("x?$top=1")]
    [InlineData("x#fragment")]
    public void EscapedUserIdsStayOneSegment(string userId)
    {
        var url = new Uri(GraphPaths.PositionsUrl(Root, userId));

        var segments = url.AbsolutePath.Split('/');
        Assert.Equal(new[] { "", "beta", "users", segments[3], "profile", "positions" }, segments);
        Assert.Equal(userId, Uri.UnescapeDataString(segments[3]));
    }

    [Theory]
    [InlineData("0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f", "positions/0fb4c1e3-c1e3-0fb4-e3c1-b40fe3c1b40f")]
    [InlineData("a/b?c#d", "positions/a%2Fb%3Fc%23d")]
    [InlineData("..", "positions('..')")]
    [InlineData("$x", "positions('$x')")]
    public void PositionIdsAreOneSegment(string id, string expected)
    {
        Assert.EndsWith("/profile/" + expected, GraphPaths.PositionsUrl(Root, null, id));
    }

    [Fact]
    public void EmptyIdsAndControlCharactersAreRefused()
    {
        Assert.Throws<PositionInputException>(() => GraphPaths.PositionsUrl(Root, null, " "));
        Assert.Throws<PositionInputException>(() => GraphPaths.PositionsUrl(Root, "adele@contoso.com\r\nX-Evil: 1"));
    }

    [Fact]
    public void QueryValuesAreEscapedSoTheyCannotAddOptions()
    {
        var url = GraphPaths.WithQuery("https://g/beta/me/profile/positions", new[] { new KeyValuePair<string, string>("$filter", "detail/jobTitle eq 'R&D #1+2'") });

        Assert.Equal("https://g/beta/me/profile/positions?$filter=detail/jobTitle%20eq%20'R%26D%20%231%2B2'", url);
    }

    [Fact]
    public void SortAndSelectNamesAreCanonicalised()
    {
        var options = GraphPositionService.ListOptions(new PositionQuery
        {
            Filter = "isCurrent eq true",
            Top = 5,
            Skip = 10,
            Sort = new[] { "Detail/JobTitle DESC", "createdDateTime" },
            Select = new[] { "IsCurrent", "detail", "unknownThing" },
        }).ToList();

        Assert.Equal(
            new[] { "$filter=isCurrent eq true", "$orderby=detail/jobTitle desc,createdDateTime", "$select=isCurrent,detail,unknownThing", "$skip=10", "$top=5" },
            options.Select(o => o.Key + "=" + o.Value));
    }

    [Theory]
    [InlineData("\r\nme", "UserId")]
    [InlineData("me ", "UserId")]
    [InlineData(" adele@contoso.com", "UserId")]
    [InlineData("adele@contoso.com\t", "UserId")]
    [InlineData("  ", "UserId")]
    public void DamagedUserIdsAreRefusedNotTrimmed(string userId, string member)
    {
        var error = Assert.Throws<PositionInputException>(() => GraphPaths.PositionsUrl(Root, userId));

        Assert.Equal(member, error.Member);
        Assert.Contains("not trimmed", error.Message);
    }

    [Theory]
    [InlineData(" p1")]
    [InlineData("p1\n")]
    public void DamagedPositionIdsAreRefusedNotTrimmed(string positionId)
    {
        var error = Assert.Throws<PositionInputException>(() => GraphPaths.PositionsUrl(Root, "me", positionId));

        Assert.Equal("WorkPositionId", error.Member);
    }
}
