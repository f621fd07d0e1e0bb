using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>An application, device or user (Graph <c>identity</c>).</summary>
    public class Identity : GraphObject
    {
        private static readonly string[] Names = { "displayName", "id" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>displayName</c>.</summary>
        public string? DisplayName
        {
            get => GetString("displayName");
            set => SetMember("displayName", value);
        }

        /// <summary>Graph <c>id</c>.</summary>
        public string? Id
        {
            get => GetString("id");
            set => SetMember("id", value);
        }
    }
}
