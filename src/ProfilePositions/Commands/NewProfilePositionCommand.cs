using System;
using System.Linq;
using System.Management.Automation;
using ProfilePositions.Binding;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;
using ProfilePositions.Engine.Runtime;

namespace ProfilePositions.Commands
{
    /// <summary>Creates a work position on a user's profile (POST /users/{id}/profile/positions).</summary>
    [Cmdlet(VerbsCommon.New, "ProfilePosition", DefaultParameterSetName = CreateExpanded, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(WorkPosition))]
    public sealed class NewProfilePositionCommand : PositionWriteCommand
    {
        private const string CreateExpanded = "CreateExpanded";
        private const string Create = "Create";

        /// <summary>
        /// The whole body: a hashtable or any dictionary (keys match case-insensitively), a PSCustomObject,
        /// a WorkPosition, or JSON text. Unknown keys are sent as given with a warning; $null is sent as null.
        /// </summary>
        [Parameter(ParameterSetName = Create, Mandatory = true, ValueFromPipeline = true)]
        [BodyParameterTransformation]
        public WorkPosition? BodyParameter { get; set; }

        /// <summary>Who may see the position: me, family, contacts, groupMembers, organization, federatedOrganizations or everyone; several may be given (organization,contacts) and are combined.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AllowedAudiencesCompleter))]
        public string[]? AllowedAudiences { get; set; }

        /// <summary>User-defined categories. A JSON array string (a CSV cell) is read as its items.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Categories")]
        public string[]? Categories { get; set; }

        /// <summary>Colleagues (relatedPerson): hashtables, objects or a JSON array string, with displayName, relationship, userId, userPrincipalName.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Colleagues")]
        public object[]? Colleagues { get; set; }

        /// <summary>The positionDetail: a hashtable, an object, a PositionDetail or JSON text. Flat parameters such as -JobTitle override the same field.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? Detail { get; set; }

        /// <summary>The inferenceData (confidenceScore, userHasVerifiedAccuracy): a hashtable, an object or JSON text.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? Inference { get; set; }

        /// <summary>Marks the position as current. Use -IsCurrent:$false to send false; the text True or False (a CSV cell) is accepted.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [BooleanTextTransformation("IsCurrent")]
        [Alias("Current")]
        public SwitchParameter IsCurrent { get; set; }

        /// <summary>Whether the position can be found in search. Use -IsSearchable:$false to send false; True or False text is accepted.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [BooleanTextTransformation("IsSearchable")]
        public SwitchParameter IsSearchable { get; set; }

        /// <summary>The manager (relatedPerson): a hashtable, an object or JSON text.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? Manager { get; set; }

        /// <summary>The personDataSources (type): a hashtable, an object or JSON text.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? Source { get; set; }

        /// <summary>The profileSourceAnnotation list: hashtables, objects or a JSON array string.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Sources")]
        public object[]? Sources { get; set; }

        /// <summary>Extra JSON members to send as given (the beta API grows): a hashtable or JSON text.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public object? AdditionalProperties { get; set; }

        /// <summary>detail.jobTitle.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [Alias("Title")]
        public string? JobTitle { get; set; }

        /// <summary>detail.company.displayName.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [Alias("Company")]
        public string? CompanyName { get; set; }

        /// <summary>detail.company.department.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Department { get; set; }

        /// <summary>detail.company.officeLocation.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? OfficeLocation { get; set; }

        /// <summary>detail.role.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Role { get; set; }

        /// <summary>detail.description.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Description { get; set; }

        /// <summary>detail.summary.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Summary { get; set; }

        /// <summary>detail.startMonthYear: text yyyy-MM-dd or yyyy-MM, or a DateTime (its month is used).</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [Alias("StartDate")]
        public object? StartMonthYear { get; set; }

        /// <summary>detail.endMonthYear: text yyyy-MM-dd or yyyy-MM, or a DateTime (its month is used).</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [Alias("EndDate")]
        public object? EndMonthYear { get; set; }

        /// <summary>detail.employeeId.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? EmployeeId { get; set; }

        /// <summary>detail.employeeType.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? EmployeeType { get; set; }

        /// <summary>detail.level.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Level { get; set; }

        /// <summary>detail.layer.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [IntegerTextTransformation("Layer")]
        public int Layer { get; set; }

        /// <summary>detail.company.companyCode.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? CompanyCode { get; set; }

        /// <summary>detail.company.costCenter.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? CostCenter { get; set; }

        /// <summary>detail.company.division.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Division { get; set; }

        /// <summary>detail.company.webUrl.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? WebUrl { get; set; }

        /// <summary>detail.company.address.street.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? Street { get; set; }

        /// <summary>detail.company.address.city.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? City { get; set; }

        /// <summary>detail.company.address.state.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? State { get; set; }

        /// <summary>detail.company.address.postalCode.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? PostalCode { get; set; }

        /// <summary>detail.company.address.postOfficeBox.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? PostOfficeBox { get; set; }

        /// <summary>detail.company.address.countryOrRegion.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        public string? CountryOrRegion { get; set; }

        /// <summary>detail.company.address.type: unknown, home, business or other.</summary>
        [Parameter(ParameterSetName = CreateExpanded, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AddressTypeCompleter))]
        public string? AddressType { get; set; }

        /// <summary>
        /// Creates nothing for an item that matches a position the user already has (every given member equal);
        /// that position is written to the output instead, so a re-run of the same import writes nothing.
        /// Each user's positions are read once per command.
        /// </summary>
        [Parameter]
        public SwitchParameter SkipExisting { get; set; }

        protected override string ResumeHint => "Run the same command again with -SkipExisting: rows created already are then skipped, and only the rest are created.";

        protected override void ProcessItem()
        {
            var service = GetService();
            var target = ItemTarget(ParameterSetName == Create ? BodyTarget(BodyParameter) : (object?)(InputObject ?? (object?)UserId ?? "me"));
            PositionBody? body = null;
            try
            {
                var userId = ItemUserId;
                body = BodyForItem(BodyParameter);
                RequireBoundColumns(body);
                WriteBodyWarnings(body);
                if (!Preflight(write: true, userId))
                {
                    Declined();
                    return;
                }

                if (SkipExisting.IsPresent && WouldAskFirst())
                {
                    // -WhatIf and -Confirm show what a run would do: an item that exists already is skipped, not offered.
                    var match = RunEngine(cancellationToken => service.FindExistingAsync(userId, body, cancellationToken));
                    if (match != null)
                    {
                        WriteVerbose("Position " + match.Id + " of '" + OutputUserId(userId) + "' matches this item: already exists; skipped.");
                        Tally.Skipped++;
                        WriteObject(WithUserId(match, userId));
                        return;
                    }
                }

                var checkedBody = body;
                if (!ShouldSend("Create a work position for '" + OutputUserId(userId) + "'", () => service.Describe("POST", userId, null, checkedBody)))
                {
                    Declined();
                    return;
                }

                if (SkipExisting.IsPresent)
                {
                    Submit(
                        cancellationToken => service.CreateOrSkipAsync(userId, checkedBody, cancellationToken),
                        result => result.Skipped ? RunOutcome.Skipped : RunOutcome.Created,
                        result => WriteObject(WithUserId(result.Position, userId)),
                        target,
                        null,
                        ItemJobTitle(body));
                }
                else
                {
                    Submit(
                        cancellationToken => service.CreateAsync(userId, checkedBody, cancellationToken),
                        _ => RunOutcome.Created,
                        created => WriteObject(WithUserId(created, userId)),
                        target,
                        null,
                        ItemJobTitle(body));
                }
            }
            catch (Exception exception) when (IsItemFailure(exception))
            {
                Fail(exception, target, null, ItemJobTitle(body));
            }
        }

        // An HR export whose columns bind to nothing would otherwise create near-empty positions.
        private void RequireBoundColumns(PositionBody body)
        {
            if (Item == null || Item.Kind != PipelineItemKind.Row || !Item.IsTable || Item.IgnoredColumns.Count == 0 || body.Value.Detail != null)
            {
                return;
            }

            var filled = Item.IgnoredColumnsWithValues;
            throw new PositionInputException(
                "Row",
                "Nothing for the position's detail (job title, company, dates...) was found in this row" +
                (filled.Count == 0 ? string.Empty : ", and its columns " + string.Join(", ", filled.Select(column => "'" + column + "'")) + " match no parameter") +
                ", so nothing was created. Give the detail in columns named after the parameters or their aliases (JobTitle or Title, CompanyName or Company, StartMonthYear or StartDate...); Get-Help New-ProfilePosition -Parameter * lists them.",
                "RowColumnsNotBound");
        }
    }
}
