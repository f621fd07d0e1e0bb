using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// Answers "did the create whose outcome is unknown happen?" by reading the user's positions (every page) and
    /// looking for one that matches the body (<see cref="PositionMatcher"/>) and was not there before: created at or
    /// after the first attempt started (less a clock tolerance, since createdDateTime is the server's clock), not seen by
    /// an earlier read of this create, and not created earlier by this connection (so two identical rows stay two).
    /// </summary>
    internal sealed class CreateReconciler
    {
        /// <summary>How far the server's clock may be behind ours.</summary>
        public static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(30);

        private readonly IProfilePositionService _service;
        private readonly string? _userId;
        private readonly PositionBody _body;
        private readonly DateTimeOffset _notBefore;
        private readonly Func<string, bool> _isClaimed;
        private readonly HashSet<string> _seenBefore = new HashSet<string>(StringComparer.Ordinal);

        /// <param name="isClaimed">True for ids this connection already created or reported (they belong to other items).</param>
        public CreateReconciler(IProfilePositionService service, string? userId, PositionBody body, DateTimeOffset firstAttemptStarted, Func<string, bool> isClaimed)
        {
            _service = service;
            _userId = userId;
            _body = body;
            _notBefore = firstAttemptStarted - ClockTolerance;
            _isClaimed = isClaimed;
        }

        /// <summary>How many positions the last read saw.</summary>
        public int LastReadCount { get; private set; }

        /// <summary>The position this create made, or null when it was not committed.</summary>
        public async Task<WorkPosition?> FindCreatedAsync(CancellationToken cancellationToken)
        {
            var positions = await _service.ListAllAsync(_userId, null, cancellationToken).ConfigureAwait(false);
            LastReadCount = positions.Count;
            WorkPosition? found = null;
            foreach (var position in positions)
            {
                if (found == null && IsNew(position) && PositionMatcher.Matches(_body, position))
                {
                    found = position;
                }
            }

            if (found == null)
            {
                // Nothing here is ours, so none of these can be the result of a later attempt either.
                foreach (var position in positions)
                {
                    if (position.Id != null)
                    {
                        _seenBefore.Add(position.Id);
                    }
                }
            }

            return found;
        }

        private bool IsNew(WorkPosition position)
        {
            if (position.Id == null || _seenBefore.Contains(position.Id) || _isClaimed(position.Id))
            {
                return false;
            }

            // A position without a readable createdDateTime cannot be ruled out by time; the ids seen still rule it out.
            var created = position.CreatedDateTime;
            return !created.HasValue || created.Value >= _notBefore;
        }
    }
}
