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

    /// <summary>What -WhatIf prints: the exact method, URL and JSON body.</summary>
    public sealed class RequestPreview
    {
        public string Method { get; set; } = "GET";

        public string Url { get; set; } = string.Empty;

        public string? Json { get; set; }

        public override string ToString() => Json == null ? Method + " " + Url : Method + " " + Url + System.Environment.NewLine + Json;
    }
}
