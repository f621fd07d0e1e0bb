using System;
using System.Linq;
using System.Management.Automation;
using ProfilePositions.Engine.Positions;
using ProfilePositions.Engine.Runtime;

namespace ProfilePositions.Commands
{
    /// <summary>Lists the work positions on a user's profile, or gets one by id.</summary>
    [Cmdlet(VerbsCommon.Get, "ProfilePosition", DefaultParameterSetName = List)]
    [OutputType(typeof(WorkPosition))]
    public sealed class GetProfilePositionCommand : PositionCommand
    {
        private const string List = "List";
        private const string Get = "Get";

        /// <summary>
        /// The id of one position. It binds by name from the command line only: user objects piped in carry their own
        /// Id (the user's), which must not be taken for a position id.
        /// </summary>
        [Parameter(ParameterSetName = Get, Mandatory = true)]
        [Alias("Id")]
        [ValidateNotNullOrEmpty]
        public string WorkPositionId { get; set; } = string.Empty;

        /// <summary>An OData $filter expression, for example "isCurrent eq true".</summary>
        [Parameter(ParameterSetName = List)]
        public string? Filter { get; set; }

        /// <summary>Returns at most this many positions (pages are followed until there are enough).</summary>
        [Parameter(ParameterSetName = List)]
        [Alias("Limit")]
        [ValidateRange(1, int.MaxValue)]
        public int Top { get; set; }

        /// <summary>Skips this many positions first ($skip).</summary>
        [Parameter(ParameterSetName = List)]
        [ValidateRange(0, int.MaxValue)]
        public int Skip { get; set; }

        /// <summary>Sort order ($orderby), for example "detail/jobTitle desc".</summary>
        [Parameter(ParameterSetName = List)]
        [Alias("OrderBy")]
        [ArgumentCompleter(typeof(SortCompleter))]
        public string[]? Sort { get; set; }

        /// <summary>Only these properties ($select), by their Graph names.</summary>
        [Parameter]
        [Alias("Select")]
        [ArgumentCompleter(typeof(PropertyCompleter))]
        public string[]? Property { get; set; }

        /// <summary>Follows every @odata.nextLink and returns all positions; without it only the first page is returned.</summary>
        [Parameter(ParameterSetName = List)]
        public SwitchParameter All { get; set; }

        /// <summary>Positions asked for per request ($top); with -All every page is read, with -Top pages until there are enough.</summary>
        [Parameter(ParameterSetName = List)]
        [ValidateRange(1, int.MaxValue)]
        public int PageSize { get; set; }

        /// <summary>Sends $count=true and stores Graph's @odata.count (the number of matching positions) in a variable of this name.</summary>
        [Parameter(ParameterSetName = List)]
        [Alias("CV")]
        [ValidateNotNullOrEmpty]
        public string? CountVariable { get; set; }

        /// <summary>
        /// Sent as $expand, for scripts written for Get-MgBetaUserProfilePosition: workPosition has no navigation
        /// properties, so Graph refuses it with its own error (400).
        /// </summary>
        [Parameter]
        [Alias("Expand")]
        public string[]? ExpandProperty { get; set; }

        // Only a list has these; -InputObject with a position id gets that one position.
        private static readonly string[] ListOnly = { nameof(Filter), nameof(Top), nameof(Skip), nameof(Sort), nameof(All), nameof(PageSize), nameof(CountVariable) };

        private protected override bool PipedTextIsUserId => true;

        /// <summary>One position: -WorkPositionId, or an -InputObject that names one.</summary>
        private bool GetsOne => ParameterSetName == Get || InputObjectPositionId != null;

        private string PositionId => InputObjectPositionId ?? WorkPositionId;

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (InputObjectPositionId != null)
            {
                var listOnly = ListOnly.Where(CommandLine.Contains).ToArray();
                if (listOnly.Length > 0)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid("InputObjectConflict", "-InputObject names one position, so " + string.Join(", ", listOnly.Select(name => "-" + name)) + (listOnly.Length == 1 ? " (a list's option) does" : " (a list's options) do") + " not apply. Leave out its WorkPositionId to list the user's positions.", InputObject));
                }
            }
        }

        protected override void ProcessItem()
        {
            var service = GetService();
            var target = ItemTarget(InputObject ?? (GetsOne ? PositionId : (object?)(UserId ?? "me")));
            try
            {
                var userId = ItemUserId;
                if (!Preflight(write: false, userId))
                {
                    Declined();
                    return;
                }

                if (GetsOne)
                {
                    var positionId = PositionId;
                    var one = new PositionQuery { Select = Property, Expand = ExpandProperty };
                    Submit(
                        cancellationToken => service.GetOneAsync(userId, positionId, one, cancellationToken),
                        _ => RunOutcome.Read,
                        position =>
                        {
                            Tally.Read++;
                            WriteObject(WithUserId(position, userId));
                        },
                        target,
                        positionId,
                        null);
                    return;
                }

                var topGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Top));
                var query = new PositionQuery
                {
                    Filter = string.IsNullOrEmpty(Filter) ? null : Filter,
                    Top = topGiven ? Top : (int?)null,
                    Skip = MyInvocation.BoundParameters.ContainsKey(nameof(Skip)) ? Skip : (int?)null,
                    Sort = Sort,
                    Select = Property,
                    Expand = ExpandProperty,
                    PageSize = MyInvocation.BoundParameters.ContainsKey(nameof(PageSize)) ? PageSize : (int?)null,
                    Count = CountVariable != null,
                };

                // With -All every page of a user is read before anything of it is written: a downstream
                // Remove-ProfilePosition deleting while later pages are still to be read would shift them.
                Submit(
                    cancellationToken => service.ReadListingAsync(userId, query, topGiven ? Top : (int?)null, All.IsPresent, cancellationToken),
                    _ => RunOutcome.Read,
                    listing =>
                    {
                        if (CountVariable != null)
                        {
                            SessionState.PSVariable.Set(CountVariable, listing.Count);
                        }

                        foreach (var position in listing.Items)
                        {
                            Tally.Read++;
                            WriteObject(WithUserId(position, userId));
                        }

                        if (listing.MoreExist)
                        {
                            WriteWarning("More positions exist for '" + OutputUserId(userId) + "' than the first page holds. Use -All to get every position, or -Top to get a number of them.");
                        }
                    },
                    target,
                    null,
                    null);
            }
            catch (Exception exception) when (IsItemFailure(exception))
            {
                Fail(exception, target, GetsOne ? PositionId : null, null);
            }
        }
    }
}
