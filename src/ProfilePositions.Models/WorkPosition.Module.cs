namespace ProfilePositions
{
    public partial class WorkPosition
    {
        /// <summary>
        /// The user whose profile holds this position, as it was addressed (object id, UPN or <c>me</c>).
        /// Not a Graph property: it lets <c>Get-ProfilePosition | Remove-ProfilePosition</c> find the position again.
        /// </summary>
        public string? UserId { get; set; }
    }
}
