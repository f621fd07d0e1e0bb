using System;
using System.Linq;
using System.Management.Automation;
using ProfilePositions.Binding;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;
using ProfilePositions.Engine.Runtime;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Changes a work position (PATCH /users/{id}/profile/positions/{id}); only what was given is sent. Every column of a
    /// piped row that names a parameter is sent (a CSV of UserId, Id and the columns to change drives a bulk update);
    /// from the module's own output only UserId and Id are read, so Get-ProfilePosition | Update-ProfilePosition
    /// -JobTitle x sends the job title alone rather than everything the piped position carries.
    /// </summary>
    [Cmdlet(VerbsData.Update, "ProfilePosition", DefaultParameterSetName = UpdateExpanded, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(WorkPosition))]
    public sealed class UpdateProfilePositionCommand : PositionWriteCommand
    {
        private const string UpdateExpanded = "UpdateExpanded";
        private const string Update = "Update";

        /// <summary>
        /// The id of the position to change. Required: on the command line, or from the Id column of piped rows and the Id
        /// of piped positions.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string? WorkPositionId { get; set; }

        /// <summary>
        /// The changes as one body: a hashtable or any dictionary (keys match case-insensitively), a PSCustomObject,
        /// a WorkPosition, or JSON text. Unknown keys are sent as given with a warning; $null clears a field.
        /// </summary>
        [Parameter(ParameterSetName = Update, Mandatory = true, ValueFromPipeline = true)]
        [BodyParameterTransformation]
        public WorkPosition? BodyParameter { get; set; }

        /// <summary>Who may see the position: me, family, contacts, groupMembers, organization, federatedOrganizations or everyone; several may be given (organization,contacts) and are combined.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AllowedAudiencesCompleter))]
        public string[]? AllowedAudiences { get; set; }

        /// <summary>User-defined categories. A JSON array string (a CSV cell) is read as its items.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Categories")]
        public string[]? Categories { get; set; }

        /// <summary>Colleagues (relatedPerson): hashtables, objects or a JSON array string, with displayName, relationship, userId, userPrincipalName.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Colleagues")]
        public object[]? Colleagues { get; set; }

        /// <summary>The positionDetail: a hashtable, an object, a PositionDetail or JSON text. Flat parameters such as -JobTitle override the same field.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? Detail { get; set; }

        /// <summary>The inferenceData (confidenceScore, userHasVerifiedAccuracy): a hashtable, an object or JSON text.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? Inference { get; set; }

        /// <summary>Marks the position as current. Use -IsCurrent:$false to send false; the text True or False (a CSV cell) is accepted.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [BooleanTextTransformation("IsCurrent")]
        [Alias("Current")]
        public SwitchParameter IsCurrent { get; set; }

        /// <summary>Whether the position can be found in search. Use -IsSearchable:$false to send false; True or False text is accepted.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [BooleanTextTransformation("IsSearchable")]
        public SwitchParameter IsSearchable { get; set; }

        /// <summary>The manager (relatedPerson): a hashtable, an object or JSON text.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? Manager { get; set; }

        /// <summary>The personDataSources (type): a hashtable, an object or JSON text.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? Source { get; set; }

        /// <summary>The profileSourceAnnotation list: hashtables, objects or a JSON array string.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Sources")]
        public object[]? Sources { get; set; }

        /// <summary>Extra JSON members to send as given (the beta API grows): a hashtable or JSON text.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? AdditionalProperties { get; set; }

        /// <summary>detail.jobTitle.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [Alias("Title")]
        public string? JobTitle { get; set; }

        /// <summary>detail.company.displayName.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [Alias("Company")]
        public string? CompanyName { get; set; }

        /// <summary>detail.company.department.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Department { get; set; }

        /// <summary>detail.company.officeLocation.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? OfficeLocation { get; set; }

        /// <summary>detail.role.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Role { get; set; }

        /// <summary>detail.description.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Description { get; set; }

        /// <summary>detail.summary.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Summary { get; set; }

        /// <summary>detail.startMonthYear: text yyyy-MM-dd or yyyy-MM, or a DateTime (its month is used).</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [Alias("StartDate")]
        public object? StartMonthYear { get; set; }

        /// <summary>detail.endMonthYear: text yyyy-MM-dd or yyyy-MM, or a DateTime (its month is used).</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [Alias("EndDate")]
        public object? EndMonthYear { get; set; }

        /// <summary>detail.employeeId.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? EmployeeId { get; set; }

        /// <summary>detail.employeeType.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? EmployeeType { get; set; }

        /// <summary>detail.level.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Level { get; set; }

        /// <summary>detail.layer.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [IntegerTextTransformation("Layer")]
        public int Layer { get; set; }

        /// <summary>detail.company.companyCode.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? CompanyCode { get; set; }

        /// <summary>detail.company.costCenter.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? CostCenter { get; set; }

        /// <summary>detail.company.division.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Division { get; set; }

        /// <summary>detail.company.webUrl.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? WebUrl { get; set; }

        /// <summary>detail.company.address.street.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Street { get; set; }

        /// <summary>detail.company.address.city.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? City { get; set; }

        /// <summary>detail.company.address.state.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? State { get; set; }

        /// <summary>detail.company.address.postalCode.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? PostalCode { get; set; }

        /// <summary>detail.company.address.postOfficeBox.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? PostOfficeBox { get; set; }

        /// <summary>detail.company.address.countryOrRegion.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? CountryOrRegion { get; set; }

        /// <summary>detail.company.address.type: unknown, home, business or other.</summary>
        [Parameter(ParameterSetName = UpdateExpanded, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AddressTypeCompleter))]
        public string? AddressType { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (MyInvocation.ExpectingInput == false && !CommandLine.Contains(nameof(WorkPositionId)) && InputObjectPositionId == null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid("WorkPositionIdMissing", "Give -WorkPositionId (alias -Id): the id of the position to change (Get-ProfilePosition shows it), or pipe positions or rows that have an Id.", null));
            }
        }

        protected override string ResumeHint => "Run the same command again: an update sent twice leaves the position as one would.";

        protected override void ProcessItem()
        {
            var service = GetService();
            var target = ItemTarget(CommandLine.Contains(nameof(WorkPositionId)) ? WorkPositionId : InputObject ?? BodyTarget(BodyParameter));
            PositionBody? body = null;
            string? positionId = null;
            try
            {
                positionId = ItemPositionId(Item, CommandLine.Contains(nameof(WorkPositionId)) ? WorkPositionId : InputObjectPositionId);
                var userId = ItemUserId;
                body = BodyForItem(BodyParameter);
                WriteBodyWarnings(body);
                if (body.IsEmpty && Item != null && Item.IsTable && Item.IgnoredColumns.Count > 0)
                {
                    throw new PositionInputException(
                        "Row",
                        "Nothing to update: no column of this row names a parameter to change, and its columns " + string.Join(", ", Item.IgnoredColumns.Select(column => "'" + column + "'")) +
                        " match no parameter. Rename them to parameter names or their aliases (Get-Help Update-ProfilePosition -Parameter * lists them).",
                        "PositionBodyEmpty");
                }

                if (!Preflight(write: true, userId))
                {
                    Declined();
                    return;
                }

                var checkedId = positionId;
                var checkedBody = body;
                if (!ShouldSend("Update work position '" + positionId + "' of '" + OutputUserId(userId) + "'", () => service.Describe("PATCH", userId, checkedId, checkedBody)))
                {
                    Declined();
                    return;
                }

                Submit(
                    cancellationToken => service.UpdateAsync(userId, checkedId, checkedBody, cancellationToken),
                    _ => RunOutcome.Updated,
                    updated => WriteObject(WithUserId(updated, userId)),
                    target,
                    positionId,
                    ItemJobTitle(body));
            }
            catch (Exception exception) when (IsItemFailure(exception))
            {
                Fail(exception, target, positionId ?? Item?.Text(nameof(WorkPositionId)), ItemJobTitle(body));
            }
        }

        /// <summary>The position an item addresses: the command line wins, else the row's Id column or the piped position's Id.</summary>
        internal static string ItemPositionId(PipelineItem? item, string? commandLine)
        {
            if (commandLine != null)
            {
                if (commandLine.Trim().Length == 0)
                {
                    throw new PositionInputException("WorkPositionId", "-WorkPositionId is empty: give the id of a position (Get-ProfilePosition shows it).");
                }

                return commandLine;
            }

            var fromItem = item?.Text(nameof(WorkPositionId));
            if (fromItem != null)
            {
                return fromItem;
            }

            throw new PositionInputException(
                "WorkPositionId",
                item != null && item.HasColumn(nameof(WorkPositionId))
                    ? "The Id of this row is empty: fill in the id of the position (Get-ProfilePosition shows it)."
                    : "This item has no Id (or WorkPositionId) column: give the id of the position, or -WorkPositionId on the command line.",
                "WorkPositionIdMissing");
        }
    }
}
