using System;
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

        protected override void ProcessItem()
        {
            var service = GetService();
            var target = ItemTarget(ParameterSetName == Get ? WorkPositionId : (object?)(UserId ?? "me"));
            try
            {
                var userId = ItemUserId;
                if (ParameterSetName == Get)
                {
                    Submit(
                        cancellationToken => service.GetAsync(userId, WorkPositionId, Property, cancellationToken),
                        _ => RunOutcome.Read,
                        position =>
                        {
                            Tally.Read++;
                            WriteObject(WithUserId(position, userId));
                        },
                        target,
                        WorkPositionId,
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
                };

                // With -All every page of a user is read before anything of it is written: a downstream
                // Remove-ProfilePosition deleting while later pages are still to be read would shift them.
                Submit(
                    cancellationToken => service.ReadListingAsync(userId, query, topGiven ? Top : (int?)null, All.IsPresent, cancellationToken),
                    _ => RunOutcome.Read,
                    listing =>
                    {
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
                Fail(exception, target, ParameterSetName == Get ? WorkPositionId : null, null);
            }
        }
    }
}
