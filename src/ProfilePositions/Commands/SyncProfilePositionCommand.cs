using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ProfilePositions.Binding;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;
using ProfilePositions.Engine.Runtime;
using ProfilePositions.Engine.Sync;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Makes the profiles of the users in the input hold exactly the positions the input describes (desired state, as a
    /// nightly HR import wants it): reads each user's positions (batched across users, every page), plans per user, and
    /// sends only the writes that differ, on the bulk path. The planning is the engine's (<see cref="SyncPlanner"/>).
    /// </summary>
    [Cmdlet(VerbsData.Sync, "ProfilePosition", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(SyncResult))]
    public sealed class SyncProfilePositionCommand : PositionWriteCommand
    {
        // Row parameters that name no one member a row can leave empty to clear (-ClearEmpty).
        private static readonly HashSet<string> NotClearable = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Detail", "AdditionalProperties" };

        private readonly List<UserInput> _users = new List<UserInput>();
        private readonly Dictionary<string, UserInput> _byUser = new Dictionary<string, UserInput>(StringComparer.OrdinalIgnoreCase);
        private SyncKey _key = SyncKey.Default;
        private int _looseFailures;

        /// <summary>
        /// The members that identify a position: flat parameter names (JobTitle, CompanyName, StartMonthYear, Department,
        /// EmployeeId...) or Graph member paths (detail/company/displayName). Default: JobTitle, CompanyName, StartMonthYear.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SyncKeyCompleter))]
        public string[]? Key { get; set; }

        /// <summary>Removes the positions of the users in the input that no row names; without it they are reported as Unlisted.</summary>
        [Parameter]
        public SwitchParameter RemoveUnlisted { get; set; }

        /// <summary>With -RemoveUnlisted: the run is refused when it would remove more than this share (in percent) of the positions of the users it read. Default 20.</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public double MaxRemovePercent { get; set; } = 20;

        /// <summary>Runs even when -RemoveUnlisted would remove more than -MaxRemovePercent of the positions read.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>A column that is present but empty clears that member (sent as null) instead of leaving it unmanaged.</summary>
        [Parameter]
        public SwitchParameter ClearEmpty { get; set; }

        /// <summary>Who may see the position: me, family, contacts, groupMembers, organization, federatedOrganizations or everyone; several may be given (organization,contacts) and are combined.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AllowedAudiencesCompleter))]
        public string[]? AllowedAudiences { get; set; }

        /// <summary>User-defined categories. A JSON array string (a CSV cell) is read as its items.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Categories")]
        public string[]? Categories { get; set; }

        /// <summary>Colleagues (relatedPerson): hashtables, objects or a JSON array string, with displayName, relationship, userId, userPrincipalName.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Colleagues")]
        public object[]? Colleagues { get; set; }

        /// <summary>The positionDetail: a hashtable, an object, a PositionDetail or JSON text. Flat parameters such as -JobTitle override the same field.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Detail { get; set; }

        /// <summary>The inferenceData (confidenceScore, userHasVerifiedAccuracy): a hashtable, an object or JSON text.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Inference { get; set; }

        /// <summary>Marks the position as current. Use -IsCurrent:$false to send false; the text True or False (a CSV cell) is accepted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [BooleanTextTransformation("IsCurrent")]
        [Alias("Current")]
        public SwitchParameter IsCurrent { get; set; }

        /// <summary>Whether the position can be found in search. Use -IsSearchable:$false to send false; True or False text is accepted.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [BooleanTextTransformation("IsSearchable")]
        public SwitchParameter IsSearchable { get; set; }

        /// <summary>The manager (relatedPerson): a hashtable, an object or JSON text.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Manager { get; set; }

        /// <summary>The personDataSources (type): a hashtable, an object or JSON text.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? Source { get; set; }

        /// <summary>The profileSourceAnnotation list: hashtables, objects or a JSON array string.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [JsonArrayTransformation("Sources")]
        public object[]? Sources { get; set; }

        /// <summary>Extra JSON members to send as given (the beta API grows): a hashtable or JSON text.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public object? AdditionalProperties { get; set; }

        /// <summary>detail.jobTitle.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Title")]
        public string? JobTitle { get; set; }

        /// <summary>detail.company.displayName.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Company")]
        public string? CompanyName { get; set; }

        /// <summary>detail.company.department.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Department { get; set; }

        /// <summary>detail.company.officeLocation.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? OfficeLocation { get; set; }

        /// <summary>detail.role.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Role { get; set; }

        /// <summary>detail.description.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Description { get; set; }

        /// <summary>detail.summary.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Summary { get; set; }

        /// <summary>detail.startMonthYear: text yyyy-MM-dd or yyyy-MM, or a DateTime (its month is used).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("StartDate")]
        public object? StartMonthYear { get; set; }

        /// <summary>detail.endMonthYear: text yyyy-MM-dd or yyyy-MM, or a DateTime (its month is used).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("EndDate")]
        public object? EndMonthYear { get; set; }

        /// <summary>detail.employeeId.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? EmployeeId { get; set; }

        /// <summary>detail.employeeType.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? EmployeeType { get; set; }

        /// <summary>detail.level.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Level { get; set; }

        /// <summary>detail.layer.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [IntegerTextTransformation("Layer")]
        public int Layer { get; set; }

        /// <summary>detail.company.companyCode.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? CompanyCode { get; set; }

        /// <summary>detail.company.costCenter.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? CostCenter { get; set; }

        /// <summary>detail.company.division.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Division { get; set; }

        /// <summary>detail.company.webUrl.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? WebUrl { get; set; }

        /// <summary>detail.company.address.street.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? Street { get; set; }

        /// <summary>detail.company.address.city.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? City { get; set; }

        /// <summary>detail.company.address.state.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? State { get; set; }

        /// <summary>detail.company.address.postalCode.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? PostalCode { get; set; }

        /// <summary>detail.company.address.postOfficeBox.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? PostOfficeBox { get; set; }

        /// <summary>detail.company.address.countryOrRegion.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        public string? CountryOrRegion { get; set; }

        /// <summary>detail.company.address.type: unknown, home, business or other.</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(AddressTypeCompleter))]
        public string? AddressType { get; set; }

        protected override string ResumeHint => "Run the same command again: what was written already is found unchanged, and only the rest is sent.";

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            try
            {
                _key = SyncKey.Parse(Key);
            }
            catch (PositionInputException exception)
            {
                ThrowTerminatingError(ErrorRecords.From(exception, Key));
            }
        }

        /// <summary>Reads one row into its user's desired set; nothing is sent before every row has been read.</summary>
        protected override void ProcessItem()
        {
            var target = ItemTarget(InputObject ?? (object?)UserId ?? "me");
            string? userId = null;
            var userKnown = false;
            PositionBody? body = null;
            try
            {
                userId = ItemUserId;
                userKnown = true;
                body = BodyForItem(null);
                RequireBoundColumns(body);
                WriteBodyWarnings(body);
                var user = UserFor(userId);
                user.Rows.Add(new DesiredRow(RowCount, body, ClearedMembers(), target));
            }
            catch (Exception exception) when (IsItemFailure(exception))
            {
                if (!userKnown)
                {
                    // A row that names no user cannot be anybody's desired set: it fails alone.
                    _looseFailures++;
                    Fail(exception, target, null, ItemJobTitle(body));
                    return;
                }

                var user = UserFor(userId);
                user.BadRow ??= (RowCount, exception, target);
            }
        }

        protected override void EndProcessing()
        {
            if (_users.Count > 0)
            {
                RunSync();
            }

            Tally.Items = _looseFailures + _submitted;
            base.EndProcessing();
        }

        private int _submitted;

        private void RunSync()
        {
            var service = GetService();
            var runner = new SyncRunner(service, BatchSize * ThrottleLimit * 2);
            var rows = _users.Sum(user => user.Rows.Count);
            WriteVerbose("Read " + rows.ToString(CultureInfo.InvariantCulture) + " row(s) for " + _users.Count.ToString(CultureInfo.InvariantCulture) + " user(s); reading their positions (key: " + string.Join(", ", _key.Paths) + ").");
            var toRead = _users.Where(user => user.BadRow == null).ToList();
            var read = RunEngine(cancellationToken => runner.ReadAsync(toRead.Select(user => user.UserId).ToArray(), null, cancellationToken));
            for (var i = 0; i < toRead.Count; i++)
            {
                toRead[i].Read = read[i];
            }

            var planner = new SyncPlanner(_key, RemoveUnlisted.IsPresent);
            foreach (var user in _users)
            {
                user.Plan = Plan(planner, user);
            }

            var guard = SyncRemoveGuard.Check(_users.Select(user => user.Plan!), MaxRemovePercent);
            if (RemoveUnlisted.IsPresent && !Force.IsPresent && guard != null)
            {
                if (!WhatIfOn)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid("SyncRemoveGuard", guard, null));
                }

                WriteWarning(guard);
            }

            foreach (var user in _users)
            {
                Apply(runner, service, user);
            }
        }

        private SyncUserPlan Plan(SyncPlanner planner, UserInput user)
        {
            if (user.BadRow != null)
            {
                var bad = user.BadRow.Value;
                var why = bad.Exception is ProfileGraphException known ? known.Message : bad.Exception.Message;
                return SyncUserPlan.Failed(user.UserId, 0, new PositionInputException(
                    "Row",
                    "Row " + bad.Row.ToString(CultureInfo.InvariantCulture) + " could not be read: " + why.TrimEnd('.') + ". Nothing was read or changed for this user, since the rows do not give the complete set of positions it should hold; fix the row and run again.",
                    bad.Exception is PositionInputException input ? input.ErrorId : "SyncRowInvalid"));
            }

            if (user.Read!.Failure != null)
            {
                return SyncUserPlan.Failed(user.UserId, 0, user.Read.Failure as ProfileGraphException ?? new ConnectionException("SyncReadFailed", user.Read.Failure.Message, user.Read.Failure));
            }

            return planner.Plan(user.UserId, user.Rows, user.Read.Positions);
        }

        /// <summary>Shows or asks (-WhatIf, -Confirm) once per user, then submits the user's steps in order.</summary>
        private void Apply(SyncRunner runner, IProfilePositionService service, UserInput user)
        {
            var plan = user.Plan!;
            var outputUser = OutputUserId(user.UserId);
            if (plan.Failure != null)
            {
                var failure = user.Read?.Failure ?? (Exception)plan.Failure;
                var label = user.BadRow != null ? "Row " + user.BadRow.Value.Row.ToString(CultureInfo.InvariantCulture) + " (user '" + outputUser + "')" : "User '" + outputUser + "'";
                var target = user.BadRow?.Target ?? user.Rows.FirstOrDefault()?.Target ?? user.UserId;
                _submitted++;
                Submit<SyncResult>(
                    _ => FromFailure(failure),
                    _ => RunOutcome.Read,
                    _ => { },
                    target,
                    null,
                    null,
                    label,
                    user.BadRow?.Row,
                    exception => WriteObject(new SyncResult { Action = SyncAction.Failed, UserId = outputUser, Rows = user.BadRow != null ? new[] { user.BadRow.Value.Row } : user.Rows.Select(row => row.Number).ToArray(), Error = (user.BadRow != null ? plan.Failure : exception).Message }));
                return;
            }

            var writes = plan.Actions.Where(action => action.Writes).ToList();
            if (writes.Count > 0 || WhatIfOn)
            {
                var asked = WouldAskFirst();
                var allowed = !asked ? (!VerboseWanted || ShouldProcess("Sync the positions of '" + outputUser + "'")) : AskForUser(service, plan, outputUser);
                if (!allowed)
                {
                    foreach (var action in plan.Actions)
                    {
                        if (action.Writes)
                        {
                            if (WhatIfOn)
                            {
                                NoteWhatIf(Method(action.Step));
                            }

                            Declined();
                        }
                        else if (action.Step == SyncStep.Unchanged)
                        {
                            Tally.Unchanged++;
                        }
                        else
                        {
                            Tally.Unlisted++;
                        }

                        _submitted++;
                    }

                    return;
                }
            }

            foreach (var action in plan.Actions)
            {
                var step = action;
                var row = step.Row;
                var label = (row != null ? "Row " + row.Number.ToString(CultureInfo.InvariantCulture) + " (user '" + outputUser + "'" : "User '" + outputUser + "' (") +
                    (step.Stored?.Id != null ? (row != null ? ", " : string.Empty) + "position '" + step.Stored.Id + "'" : string.Empty) + ", key '" + step.Key + "')";
                _submitted++;
                Submit(
                    cancellationToken => runner.RunAsync(step, cancellationToken),
                    result => Outcome(result.Action),
                    result =>
                    {
                        result.UserId = outputUser;
                        if (result.Position != null)
                        {
                            WithUserId(result.Position, user.UserId);
                        }

                        WriteObject(result);
                    },
                    (object?)row?.Target ?? step.Stored,
                    step.Stored?.Id,
                    null,
                    label,
                    row?.Number,
                    exception => WriteObject(new SyncResult
                    {
                        Action = SyncAction.Failed,
                        UserId = outputUser,
                        Id = step.Stored?.Id,
                        Key = step.Key,
                        Changes = step.Changes.ToArray(),
                        Rows = row == null ? new int[0] : new[] { row.Number },
                        RequestId = (exception as GraphServiceException)?.RequestId,
                        Error = exception.Message,
                        Position = step.Stored,
                    }));
            }
        }

        /// <summary>One ShouldProcess for the user, showing the whole plan: every write's method, URL and JSON, and what is left alone.</summary>
        private bool AskForUser(IProfilePositionService service, SyncUserPlan plan, string outputUser)
        {
            var text = SyncPlanText.Describe(plan, outputUser, (method, action) => service.Describe(method, action.UserId, method == "POST" ? null : action.Stored?.Id, action.Body));
            return ShouldProcess(text.Caption + Environment.NewLine + text.Lines, text.Caption + "?" + Environment.NewLine + text.Lines, "Confirm");
        }

        private static string Method(SyncStep step) => SyncPlanText.Method(step);

        private static RunOutcome Outcome(SyncAction action)
        {
            switch (action)
            {
                case SyncAction.Created:
                    return RunOutcome.Created;
                case SyncAction.Updated:
                    return RunOutcome.Updated;
                case SyncAction.Removed:
                    return RunOutcome.Removed;
                case SyncAction.Unchanged:
                    return RunOutcome.Unchanged;
                default:
                    return RunOutcome.Unlisted;
            }
        }

        private static Task<SyncResult> FromFailure(Exception exception)
        {
            var failed = new TaskCompletionSource<SyncResult>();
            failed.SetException(exception);
            return failed.Task;
        }

        private UserInput UserFor(string? userId)
        {
            var key = string.IsNullOrEmpty(userId) || string.Equals(userId, "me", StringComparison.OrdinalIgnoreCase) ? "me" : userId!;
            if (!_byUser.TryGetValue(key, out var user))
            {
                user = new UserInput(userId);
                _byUser[key] = user;
                _users.Add(user);
            }

            return user;
        }

        /// <summary>-ClearEmpty: the members whose columns this row has but leaves empty (the command line's values win).</summary>
        private IReadOnlyList<string>? ClearedMembers()
        {
            if (!ClearEmpty.IsPresent || Item == null || Item.Kind != PipelineItemKind.Row)
            {
                return null;
            }

            var cleared = new List<string>();
            foreach (var name in PositionBody.ParameterNames)
            {
                if (NotClearable.Contains(name) || CommandLine.Contains(name) || !Item.HasColumn(name) || Item.TryGetValue(name, out _))
                {
                    continue;
                }

                var path = PositionBody.MemberPath(name);
                if (path != null)
                {
                    cleared.Add(path);
                }
            }

            return cleared;
        }

        // As New-ProfilePosition: an HR export whose columns bind to nothing would otherwise describe near-empty positions.
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
                ". Give the detail in columns named after the parameters or their aliases (JobTitle or Title, CompanyName or Company, StartMonthYear or StartDate...); Get-Help Sync-ProfilePosition -Parameter * lists them.",
                "RowColumnsNotBound");
        }

        /// <summary>One user of the input: its rows, then what was read and planned.</summary>
        private sealed class UserInput
        {
            public UserInput(string? userId)
            {
                UserId = userId;
            }

            public string? UserId { get; }

            public List<DesiredRow> Rows { get; } = new List<DesiredRow>();

            /// <summary>The first row of the user that could not be read: the user's sync fails.</summary>
            public (int Row, Exception Exception, object? Target)? BadRow { get; set; }

            public UserPositions? Read { get; set; }

            public SyncUserPlan? Plan { get; set; }
        }
    }
}
