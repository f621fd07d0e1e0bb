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

        /// <summary>$expand, sent as given: workPosition has no navigation properties, so Graph answers it with its own 400.</summary>
        public IReadOnlyList<string>? Expand { get; set; }

        /// <summary>
        /// Positions asked for per request ($top): the next page is read from @odata.nextLink or, where Graph takes
        /// $top as a total and gives no link, with $skip. Top then only limits how many are returned.
        /// </summary>
        public int? PageSize { get; set; }

        /// <summary>$count=true: the answer carries @odata.count, the number of matching positions.</summary>
        public bool Count { get; set; }

        internal PositionQuery With(int? top, int? skip) => new PositionQuery
        {
            Filter = Filter,
            Top = top,
            Skip = skip,
            Sort = Sort,
            Select = Select,
            Expand = Expand,
            Count = Count,
        };
    }

    public sealed class PositionPage
    {
        public IReadOnlyList<WorkPosition> Items { get; set; } = new WorkPosition[0];

        public string? NextLink { get; set; }

        /// <summary>@odata.count when $count=true was asked for and Graph gave it.</summary>
        public long? Count { get; set; }
    }

    /// <summary>What Get-ProfilePosition writes for one user: the positions, and whether more exist than were read.</summary>
    public sealed class PositionListing
    {
        public PositionListing(IReadOnlyList<WorkPosition> items, bool moreExist, long? count = null)
        {
            Items = items;
            MoreExist = moreExist;
            Count = count;
        }

        public IReadOnlyList<WorkPosition> Items { get; }

        /// <summary>True when the first page was all that was asked for and Graph has more.</summary>
        public bool MoreExist { get; }

        /// <summary>@odata.count of the first page, when $count=true was asked for and Graph gave it.</summary>
        public long? Count { get; }
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
