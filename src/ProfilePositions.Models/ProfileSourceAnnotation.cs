using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>A source that feeds profile properties (Graph <c>profileSourceAnnotation</c>).</summary>
    public class ProfileSourceAnnotation : GraphObject
    {
        private static readonly string[] Names = { "isDefaultSource", "properties", "sourceId" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>isDefaultSource</c>.</summary>
        public bool? IsDefaultSource
        {
            get => GetBoolean("isDefaultSource");
            set => SetMember("isDefaultSource", value);
        }

        /// <summary>Graph <c>properties</c>.</summary>
        public GraphList<string>? Properties
        {
            get => GetList<string>("properties");
            set => SetMember("properties", value);
        }

        /// <summary>Graph <c>sourceId</c>.</summary>
        public string? SourceId
        {
            get => GetString("sourceId");
            set => SetMember("sourceId", value);
        }
    }
}
