using System;
using System.Collections.Generic;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// The read-only views a WorkPosition carries for scripts (JobTitle, CompanyName, Department, StartMonthYear,
    /// EndMonthYear), named like the flat parameters, and the nested member each one reads. They are never Graph members:
    /// a body that carries them (ConvertTo-Json of the output, a deserialised position) drops them when they agree with
    /// the nested value, and fails when they do not.
    /// </summary>
    internal static class OutputViews
    {
        private static readonly Dictionary<string, string[]> Paths = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase)
        {
            ["JobTitle"] = new[] { "detail", "jobTitle" },
            ["CompanyName"] = new[] { "detail", "company", "displayName" },
            ["Department"] = new[] { "detail", "company", "department" },
            ["StartMonthYear"] = new[] { "detail", "startMonthYear" },
            ["EndMonthYear"] = new[] { "detail", "endMonthYear" },
        };

        public static bool IsView(string name) => Paths.ContainsKey(name);

        /// <summary>Where a view reads from, as a body spells it (detail.company.displayName).</summary>
        public static string PathOf(string name) => string.Join(".", Paths[name]);

        /// <summary>True for the two views that hold dates, which are compared as Graph's Edm.Date text.</summary>
        public static bool IsDate(string name) => Paths[name][Paths[name].Length - 1].EndsWith("MonthYear", StringComparison.Ordinal);

        /// <summary>The nested value a view reads in a shaped position, or null when it is absent.</summary>
        public static object? Read(GraphObject position, string name)
        {
            object? current = position;
            foreach (var member in Paths[name])
            {
                current = (current as GraphObject)?.GetMember(member);
            }

            return current;
        }
    }
}
