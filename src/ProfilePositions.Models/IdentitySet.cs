using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>Who created or changed an item (Graph <c>identitySet</c>).</summary>
    public class IdentitySet : GraphObject
    {
        private static readonly string[] Names = { "application", "device", "user" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>application</c>.</summary>
        public Identity? Application
        {
            get => GetObject<Identity>("application");
            set => SetMember("application", value);
        }

        /// <summary>Graph <c>device</c>.</summary>
        public Identity? Device
        {
            get => GetObject<Identity>("device");
            set => SetMember("device", value);
        }

        /// <summary>Graph <c>user</c>.</summary>
        public Identity? User
        {
            get => GetObject<Identity>("user");
            set => SetMember("user", value);
        }
    }
}
