namespace ProfilePositions
{
    public partial class WorkPosition
    {
        /// <summary>
        /// The user whose profile holds this position, as it was addressed (object id, UPN or <c>me</c>).
        /// Not a Graph property: it lets <c>Get-ProfilePosition | Remove-ProfilePosition</c> find the position again.
        /// </summary>
        public string? UserId { get; set; }

        // Read-only views of nested members, named like the flat parameters, so scripts filter, sort and select on what
        // the table shows (Where-Object JobTitle -like 'Senior*'). Not Graph members: never part of a body, and a row
        // that carries them (an Export-Csv of this output) must agree with its nested values.

        /// <summary>The job title (<c>detail.jobTitle</c>).</summary>
        public string? JobTitle => Detail?.JobTitle;

        /// <summary>The company's name (<c>detail.company.displayName</c>).</summary>
        public string? CompanyName => Detail?.Company?.DisplayName;

        /// <summary>The department (<c>detail.company.department</c>).</summary>
        public string? Department => Detail?.Company?.Department;

        /// <summary>
        /// The start (<c>detail.startMonthYear</c>) as Graph's text; PowerShell sees a <see cref="MonthYear"/>, which
        /// compares as a date (ProfilePositions.types.ps1xml). Text here, so ConvertTo-Json writes Graph's own text.
        /// </summary>
        public string? StartMonthYear => Detail?.StartMonthYear;

        /// <summary>The end (<c>detail.endMonthYear</c>); see <see cref="StartMonthYear"/>.</summary>
        public string? EndMonthYear => Detail?.EndMonthYear;
    }
}
