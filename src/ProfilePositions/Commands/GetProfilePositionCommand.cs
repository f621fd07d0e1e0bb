using System;
using System.Collections.Generic;
using System.Management.Automation;
using ProfilePositions.Engine.Positions;

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
                    var position = RunEngine(cancellationToken => service.GetAsync(userId, WorkPositionId, Property, cancellationToken));
                    WriteObject(WithUserId(position, userId));
                }
                else
                {
                    WriteList(service, userId);
                }
            }
            catch (Exception exception) when (IsItemFailure(exception))
            {
                WriteItemError(exception, target, ParameterSetName == Get ? WorkPositionId : null);
            }
        }

        private void WriteList(IProfilePositionService service, string? userId)
        {
            var topGiven = MyInvocation.BoundParameters.ContainsKey(nameof(Top));
            var query = new PositionQuery
            {
                Filter = string.IsNullOrEmpty(Filter) ? null : Filter,
                Top = topGiven ? Top : (int?)null,
                Skip = MyInvocation.BoundParameters.ContainsKey(nameof(Skip)) ? Skip : (int?)null,
                Sort = Sort,
                Select = Property,
            };

            if (All && !topGiven)
            {
                // Every page is read before anything is written: a downstream Remove-ProfilePosition deleting while later
                // pages are still to be read would shift them, and positions would be skipped.
                var all = RunEngine(cancellationToken => service.ListAllAsync(userId, query, cancellationToken));
                foreach (var position in all)
                {
                    WriteObject(WithUserId(position, userId));
                }

                return;
            }

            var written = 0;
            var page = RunEngine(cancellationToken => service.ListAsync(userId, query, cancellationToken));
            while (true)
            {
                foreach (var position in page.Items)
                {
                    if (topGiven && written >= Top)
                    {
                        return;
                    }

                    WriteObject(WithUserId(position, userId));
                    written++;
                }

                var nextLink = page.NextLink;
                if (string.IsNullOrEmpty(nextLink) || (topGiven && written >= Top))
                {
                    return;
                }

                if (!topGiven)
                {
                    WriteWarning("More positions exist for '" + OutputUserId(userId) + "' than the first page holds. Use -All to get every position, or -Top to get a number of them.");
                    return;
                }

                page = RunEngine(cancellationToken => service.ListNextAsync(userId, nextLink!, cancellationToken));
            }
        }
    }
}
