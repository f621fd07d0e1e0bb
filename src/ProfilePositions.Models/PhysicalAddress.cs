using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>A postal address (Graph <c>physicalAddress</c>).</summary>
    public class PhysicalAddress : GraphObject
    {
        private static readonly string[] Names = { "city", "countryOrRegion", "postalCode", "postOfficeBox", "state", "street", "type" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>city</c>.</summary>
        public string? City
        {
            get => GetString("city");
            set => SetMember("city", value);
        }

        /// <summary>Graph <c>countryOrRegion</c>.</summary>
        public string? CountryOrRegion
        {
            get => GetString("countryOrRegion");
            set => SetMember("countryOrRegion", value);
        }

        /// <summary>Graph <c>postalCode</c>.</summary>
        public string? PostalCode
        {
            get => GetString("postalCode");
            set => SetMember("postalCode", value);
        }

        /// <summary>Graph <c>postOfficeBox</c>.</summary>
        public string? PostOfficeBox
        {
            get => GetString("postOfficeBox");
            set => SetMember("postOfficeBox", value);
        }

        /// <summary>Graph <c>state</c>.</summary>
        public string? State
        {
            get => GetString("state");
            set => SetMember("state", value);
        }

        /// <summary>Graph <c>street</c>.</summary>
        public string? Street
        {
            get => GetString("street");
            set => SetMember("street", value);
        }

        /// <summary>Graph <c>type</c>.</summary>
        public string? Type
        {
            get => GetString("type");
            set => SetMember("type", value);
        }
    }
}
