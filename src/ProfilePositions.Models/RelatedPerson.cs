using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>A manager or colleague (Graph <c>relatedPerson</c>).</summary>
    public class RelatedPerson : GraphObject
    {
        private static readonly string[] Names = { "displayName", "relationship", "userId", "userPrincipalName" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>displayName</c>.</summary>
        public string? DisplayName
        {
            get => GetString("displayName");
            set => SetMember("displayName", value);
        }

        /// <summary>Graph <c>relationship</c>.</summary>
        public string? Relationship
        {
            get => GetString("relationship");
            set => SetMember("relationship", value);
        }

        /// <summary>Graph <c>userId</c>.</summary>
        public string? UserId
        {
            get => GetString("userId");
            set => SetMember("userId", value);
        }

        /// <summary>Graph <c>userPrincipalName</c>.</summary>
        public string? UserPrincipalName
        {
            get => GetString("userPrincipalName");
            set => SetMember("userPrincipalName", value);
        }
    }
}
