using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>The company of a position (Graph <c>companyDetail</c>).</summary>
    public class CompanyDetail : GraphObject
    {
        private static readonly string[] Names = { "address", "companyCode", "costCenter", "department", "displayName", "division", "officeLocation", "pronunciation", "secondaryDepartment", "webUrl" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>address</c>.</summary>
        public PhysicalAddress? Address
        {
            get => GetObject<PhysicalAddress>("address");
            set => SetMember("address", value);
        }

        /// <summary>Graph <c>companyCode</c>.</summary>
        public string? CompanyCode
        {
            get => GetString("companyCode");
            set => SetMember("companyCode", value);
        }

        /// <summary>Graph <c>costCenter</c>.</summary>
        public string? CostCenter
        {
            get => GetString("costCenter");
            set => SetMember("costCenter", value);
        }

        /// <summary>Graph <c>department</c>.</summary>
        public string? Department
        {
            get => GetString("department");
            set => SetMember("department", value);
        }

        /// <summary>Graph <c>displayName</c>.</summary>
        public string? DisplayName
        {
            get => GetString("displayName");
            set => SetMember("displayName", value);
        }

        /// <summary>Graph <c>division</c>.</summary>
        public string? Division
        {
            get => GetString("division");
            set => SetMember("division", value);
        }

        /// <summary>Graph <c>officeLocation</c>.</summary>
        public string? OfficeLocation
        {
            get => GetString("officeLocation");
            set => SetMember("officeLocation", value);
        }

        /// <summary>Graph <c>pronunciation</c>.</summary>
        public string? Pronunciation
        {
            get => GetString("pronunciation");
            set => SetMember("pronunciation", value);
        }

        /// <summary>Graph <c>secondaryDepartment</c>.</summary>
        public string? SecondaryDepartment
        {
            get => GetString("secondaryDepartment");
            set => SetMember("secondaryDepartment", value);
        }

        /// <summary>Graph <c>webUrl</c>.</summary>
        public string? WebUrl
        {
            get => GetString("webUrl");
            set => SetMember("webUrl", value);
        }
    }
}
