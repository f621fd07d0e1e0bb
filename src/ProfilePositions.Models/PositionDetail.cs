using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>Details of a position (Graph <c>positionDetail</c>).</summary>
    public class PositionDetail : GraphObject
    {
        private static readonly string[] Names = { "company", "description", "employeeId", "employeeType", "endMonthYear", "jobTitle", "layer", "level", "role", "secondaryJobTitle", "secondaryRole", "startMonthYear", "summary" };

        /// <summary>The JSON member names this type declares.</summary>
        public static IReadOnlyCollection<string> MemberNames => Names;

        protected internal override IReadOnlyCollection<string> KnownMembers => Names;

        /// <summary>Graph <c>company</c>.</summary>
        public CompanyDetail? Company
        {
            get => GetObject<CompanyDetail>("company");
            set => SetMember("company", value);
        }

        /// <summary>Graph <c>description</c>.</summary>
        public string? Description
        {
            get => GetString("description");
            set => SetMember("description", value);
        }

        /// <summary>Graph <c>employeeId</c>.</summary>
        public string? EmployeeId
        {
            get => GetString("employeeId");
            set => SetMember("employeeId", value);
        }

        /// <summary>Graph <c>employeeType</c>.</summary>
        public string? EmployeeType
        {
            get => GetString("employeeType");
            set => SetMember("employeeType", value);
        }

        /// <summary>Graph <c>endMonthYear</c> as Graph's text; PowerShell sees a <see cref="MonthYear"/> (ProfilePositions.types.ps1xml).</summary>
        public string? EndMonthYear
        {
            get => GetString("endMonthYear");
            set => SetMember("endMonthYear", value);
        }

        /// <summary>Graph <c>jobTitle</c>.</summary>
        public string? JobTitle
        {
            get => GetString("jobTitle");
            set => SetMember("jobTitle", value);
        }

        /// <summary>Graph <c>layer</c>.</summary>
        public int? Layer
        {
            get => GetInt32("layer");
            set => SetMember("layer", value);
        }

        /// <summary>Graph <c>level</c>.</summary>
        public string? Level
        {
            get => GetString("level");
            set => SetMember("level", value);
        }

        /// <summary>Graph <c>role</c>.</summary>
        public string? Role
        {
            get => GetString("role");
            set => SetMember("role", value);
        }

        /// <summary>Graph <c>secondaryJobTitle</c>.</summary>
        public string? SecondaryJobTitle
        {
            get => GetString("secondaryJobTitle");
            set => SetMember("secondaryJobTitle", value);
        }

        /// <summary>Graph <c>secondaryRole</c>.</summary>
        public string? SecondaryRole
        {
            get => GetString("secondaryRole");
            set => SetMember("secondaryRole", value);
        }

        /// <summary>
        /// Graph <c>startMonthYear</c> as Graph's text. PowerShell sees a <see cref="MonthYear"/>, which compares as a date
        /// (ProfilePositions.types.ps1xml); the property itself stays text so that ConvertTo-Json writes Graph's own text.
        /// </summary>
        public string? StartMonthYear
        {
            get => GetString("startMonthYear");
            set => SetMember("startMonthYear", value);
        }

        /// <summary>Graph <c>summary</c>.</summary>
        public string? Summary
        {
            get => GetString("summary");
            set => SetMember("summary", value);
        }
    }
}
