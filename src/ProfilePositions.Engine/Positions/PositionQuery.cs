using System.Collections.Generic;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>OData options of a list request.</summary>
    public sealed class PositionQuery
    {
        public string? Filter { get; set; }

        public int? Top { get; set; }

        public int? Skip { get; set; }

        public IReadOnlyList<string>? Sort { get; set; }

        public IReadOnlyList<string>? Select { get; set; }
    }

    public sealed class PositionPage
    {
        public IReadOnlyList<WorkPosition> Items { get; set; } = new WorkPosition[0];

        public string? NextLink { get; set; }
    }

    /// <summary>What Get-ProfilePosition writes for one user: the positions, and whether more exist than were read.</summary>
    public sealed class PositionListing
    {
        public PositionListing(IReadOnlyList<WorkPosition> items, bool moreExist)
        {
            Items = items;
            MoreExist = moreExist;
        }

        public IReadOnlyList<WorkPosition> Items { get; }

        /// <summary>True when the first page was all that was asked for and Graph has more.</summary>
        public bool MoreExist { get; }
    }

    /// <summary>What -WhatIf prints: the exact method, URL and JSON body.</summary>
    public sealed class RequestPreview
    {
        public string Method { get; set; } = "GET";

        public string Url { get; set; } = string.Empty;

        public string? Json { get; set; }

        public override string ToString() => Json == null ? Method + " " + Url : Method + " " + Url + System.Environment.NewLine + Json;
    }
}
