using ProfilePositions.Engine.Runtime;

namespace ProfilePositions.Engine.Tests;

/// <summary>The last line of a -WhatIf run: what it would send, by kind, and what it would not.</summary>
public sealed class WhatIfTotalTests
{
    [Fact]
    public void CountsEachKindInCreateUpdateRemoveOrderWithItsOwnPlural()
    {
        var total = new WhatIfTotal();
        total.Count("DELETE");
        total.Count("POST");
        total.Count("post");
        total.Count("PATCH");

        Assert.True(total.Any);
        Assert.Equal("2 creates, 1 update, 1 removal would be sent (Sync: 4 items).", total.Describe("Sync", 4, 0, 0));
    }

    [Fact]
    public void NamesWhatWasSkippedOrFailedAndSaysSoWhenNothingWouldBeSent()
    {
        var total = new WhatIfTotal();
        Assert.False(total.Any);
        Assert.Equal("Nothing would be sent (New-ProfilePosition: 2 items; 2 failed).", total.Describe("New-ProfilePosition", 2, 0, 2));

        total.Count("DELETE");
        total.Count("DELETE");
        Assert.Equal("2 removals would be sent (Remove-ProfilePosition: 5 items; 1 skipped as existing, 2 failed).", total.Describe("Remove-ProfilePosition", 5, 1, 2));
    }
}
