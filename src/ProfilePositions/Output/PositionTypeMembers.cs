using System;
using System.Management.Automation;

namespace ProfilePositions.Output
{
    /// <summary>
    /// The members ProfilePositions.types.ps1xml gives the output objects in PowerShell. The CLR properties of the dates
    /// stay Graph's text, because ConvertTo-Json reflects CLR properties and writes any type it does not know as an
    /// object; PowerShell's own view (member access, Sort-Object, Where-Object, Export-Csv, the format views) goes through
    /// these instead and sees a <see cref="MonthYear"/>, which compares as a date.
    /// </summary>
    public static class PositionTypeMembers
    {
        private const string Start = "startMonthYear";
        private const string End = "endMonthYear";

        public static MonthYear? StartMonthYear(PSObject instance) => MonthYear.FromMember(DetailOf(instance)?.GetMember(Start));

        public static MonthYear? EndMonthYear(PSObject instance) => MonthYear.FromMember(DetailOf(instance)?.GetMember(End));

        /// <summary>
        /// $detail.StartMonthYear = '2021-03-01', a [datetime] or another position's value (PowerShell converts each to a
        /// MonthYear first, as the setter takes the getter's type); $null clears it.
        /// </summary>
        public static void SetStartMonthYear(PSObject instance, MonthYear? value) => SetDate(instance, Start, value);

        public static void SetEndMonthYear(PSObject instance, MonthYear? value) => SetDate(instance, End, value);

        private static PositionDetail? DetailOf(PSObject instance)
        {
            switch (instance.BaseObject)
            {
                case PositionDetail detail:
                    return detail;
                case WorkPosition position:
                    return position.Detail;
                default:
                    return null;
            }
        }

        private static void SetDate(PSObject instance, string member, MonthYear? value)
        {
            if (!(instance.BaseObject is PositionDetail detail))
            {
                throw new InvalidOperationException("Only a position's detail holds " + member + ".");
            }

            detail.SetMember(member, value?.Text);
        }
    }
}
