using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>Where an item came from (Graph <c>personDataSources</c>; <c>type</c> is a list, older responses send one string).</summary>
    public class PersonDataSources : GraphObject
    {
        private static readonly string[] Names = { "type" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>type</c>.</summary>
        public GraphList<string>? Type
        {
            get => GetList<string>("type");
            set => SetMember("type", value);
        }
    }
}
