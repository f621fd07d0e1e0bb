using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// Creates a position exactly once. Graph has no idempotency key, so a create whose outcome is unknown (a server error
    /// that may follow a commit, a connection lost, a timeout, a response cut off) is not simply sent again: after the
    /// wait (so that a late commit has landed) the user's positions are read (every page), and one that matches the body
    /// (<see cref="PositionMatcher"/>) and was not there before is the result. It must have been created at or after the
    /// first attempt started (less a clock tolerance, since createdDateTime is the server's clock), not seen by an
    /// earlier read of this create, and not claimed by this connection (so two identical rows stay two). Only when none
    /// is found is the create sent again. A 429 means Graph refused it before running it, so it is sent again without a read.
    /// </summary>
    internal sealed class CreateReconciler
    {
        /// <summary>How far the server's clock may be behind ours.</summary>
        public static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(30);

        private readonly OperationRunner _runner;
        private readonly Func<string?, EngineEvents, CancellationToken, Task<IReadOnlyList<WorkPosition>>> _readAll;
        private readonly ClaimedPositions _claimed;

        /// <param name="readAll">Reads every position of a user (the reconcile read; it has its own retries).</param>
        public CreateReconciler(OperationRunner runner, Func<string?, EngineEvents, CancellationToken, Task<IReadOnlyList<WorkPosition>>> readAll, ClaimedPositions claimed)
        {
            _runner = runner;
            _readAll = readAll;
            _claimed = claimed;
        }

        public async Task<WorkPosition> CreateAsync(PositionRequest request, EngineEvents events, CancellationToken cancellationToken)
        {
            var state = new CreateState(request.UserId, request.Body!, DateTimeOffset.UtcNow - ClockTolerance);
            var attempts = 0;
            var policy = _runner.Policy;
            Func<CancellationToken, ValueTask<AttemptResult>> run =
                async token =>
                {
                    if (++attempts > 1)
                    {
                        _runner.Counters.RetryWaitEnded();
                    }

                    if (state.UnknownBefore)
                    {
                        var found = await FindAsync(state, request, attempts - 1, events, token).ConfigureAwait(false);
                        if (found != null)
                        {
                            return new AttemptResult(RetryVerdict.Done, null, null, null) { Reconciled = found };
                        }

                        events.Verbose(request.Logged + ": not created (no matching new position among " + state.LastReadCount + "); sending it again (attempt " + attempts + " of " + (policy.MaxRetries + 1) + ").");
                    }

                    var attempt = await AttemptAsync(request, attempts, events, token).ConfigureAwait(false);
                    if (attempt.Verdict == RetryVerdict.ReconcileThenRetry)
                    {
                        state.UnknownBefore = true;
                        state.LastUnknown = attempt;
                        attempt.OnRetry = (number, wait) => events.Verbose(request.Logged + " (attempt " + number + "): outcome unknown (" + OperationRunner.Describe(attempt) + "); waiting " + GraphTransport.Seconds(wait) + " s, then reading the positions of '" + GraphPaths.DisplayUser(request.UserId) + "' to check whether it was created.");
                    }
                    else if (attempt.Verdict == RetryVerdict.Retry)
                    {
                        attempt.OnRetry = (number, wait) => events.Verbose(request.Logged + " (attempt " + number + "): " + OperationRunner.Describe(attempt) + " (not created); waiting " + GraphTransport.Seconds(wait) + " s, then sending it again (attempt " + (number + 1) + " of " + (policy.MaxRetries + 1) + ").");
                    }

                    attempt.OnRetry += (number, wait) => _runner.Counters.RetryWaitStarted();
                    return attempt;
                };
            var result = await RetryPolicy.RunAsync(policy, run, cancellationToken).ConfigureAwait(false);

            if (result.Reconciled != null)
            {
                events.Verbose(request.Logged + ": found the created position " + result.Reconciled.Id + " among " + state.LastReadCount + " position(s); it is the result, the create is not sent again.");
                return result.Reconciled;
            }

            if (result.Verdict == RetryVerdict.ReconcileThenRetry)
            {
                // Out of retries (or asked to wait too long) after an unknown outcome: one last read says what happened.
                events.Verbose(request.Logged + " (attempt " + attempts + "): outcome unknown (" + OperationRunner.Describe(result) + "); reading the positions of '" + GraphPaths.DisplayUser(request.UserId) + "' to check whether it was created.");
                var found = await FindAsync(state, request, attempts, events, cancellationToken).ConfigureAwait(false);
                if (found != null)
                {
                    events.Verbose(request.Logged + ": found the created position " + found.Id + " among " + state.LastReadCount + " position(s); it is the result, the create is not sent again.");
                    return found;
                }

                throw GaveUp(result, request, attempts, result.RetryAfter > policy.MaxDelay
                    ? "the positions were read and none matches, so nothing was created; Graph asked to wait " + GraphTransport.Seconds(result.RetryAfter!.Value) + " seconds: run the command again after that"
                    : "the positions were read after each attempt and none matches, so nothing was created; run the command again later");
            }

            if (result.Failure != null)
            {
                throw OperationRunner.Final(result.Failure, attempts);
            }

            var created = _runner.Responses.ReadPositionAnswer(request, result.Response!, attempts - 1, request.UserId);
            if (created.Id != null)
            {
                _claimed.TryClaim(created.Id);
            }

            return created;
        }

        private async Task<AttemptResult> AttemptAsync(PositionRequest request, int attempt, EngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                var response = await _runner.Sender.SendAsync(request, attempt, events, cancellationToken).ConfigureAwait(false);
                if (response.Status == 429)
                {
                    return new AttemptResult(RetryVerdict.Retry, response, null, _runner.Policy.RetryAfter(response.Header("Retry-After")));
                }

                if (OperationRunner.IsUnknownOutcome(response.Status))
                {
                    return new AttemptResult(RetryVerdict.ReconcileThenRetry, response, null, _runner.Policy.RetryAfter(response.Header("Retry-After")));
                }

                return new AttemptResult(RetryVerdict.Done, response, null, null);
            }
            catch (TransportFailure failure)
            {
                return new AttemptResult(failure.MayHaveBeenApplied ? RetryVerdict.ReconcileThenRetry : RetryVerdict.Retry, null, failure, null);
            }
        }

        /// <summary>The position this create made, claimed for it; null when it was not committed.</summary>
        private async Task<WorkPosition?> FindAsync(CreateState state, PositionRequest request, int attempts, EngineEvents events, CancellationToken cancellationToken)
        {
            IReadOnlyList<WorkPosition> positions;
            try
            {
                positions = await _readAll(state.UserId, events, cancellationToken).ConfigureAwait(false);
            }
            catch (ProfileGraphException readFailure)
            {
                throw GaveUp(state.LastUnknown, request, attempts, "the positions could not be read to check whether it was created (" + readFailure.Message + "), so the position may or may not exist now: run Get-ProfilePosition to check before creating it again");
            }

            state.LastReadCount = positions.Count;
            foreach (var position in positions)
            {
                if (position.Id != null && IsNew(state, position) && PositionMatcher.Matches(state.Body, position) && _claimed.TryClaim(position.Id))
                {
                    position.UserId = GraphPaths.DisplayUser(state.UserId);
                    return position;
                }
            }

            // Nothing here is ours, so none of these can be the result of a later attempt either.
            foreach (var position in positions)
            {
                if (position.Id != null)
                {
                    state.SeenBefore.Add(position.Id);
                }
            }

            return null;
        }

        private bool IsNew(CreateState state, WorkPosition position)
        {
            if (state.SeenBefore.Contains(position.Id!) || _claimed.IsClaimed(position.Id!))
            {
                return false;
            }

            // A position without a readable createdDateTime cannot be ruled out by time; the ids seen still rule it out.
            var created = position.CreatedDateTime;
            return !created.HasValue || created.Value >= state.NotBefore;
        }

        private ProfileGraphException GaveUp(AttemptResult? last, PositionRequest request, int attempts, string outcome)
        {
            var what = "The create was sent " + attempts + (attempts == 1 ? " time" : " times") + " and its outcome was unknown each time; " + outcome;
            if (last?.Response != null)
            {
                var service = _runner.Responses.Error(request, last.Response, attempts - 1);
                return new GraphServiceException(service.StatusCode, service.Code, service.GraphMessage, service.RequestId, service.ClientRequestId, service.Date, what, service);
            }

            var failure = last?.Failure;
            var id = failure == null ? "CreateOutcomeUnknown" : OperationRunner.Final(failure, attempts).ErrorId;
            return new ConnectionException(id, (failure == null ? string.Empty : failure.Message.TrimEnd('.') + ". ") + what + ".", failure);
        }

        private sealed class CreateState
        {
            public CreateState(string? userId, PositionBody body, DateTimeOffset notBefore)
            {
                UserId = userId;
                Body = body;
                NotBefore = notBefore;
            }

            public string? UserId { get; }

            public PositionBody Body { get; }

            public DateTimeOffset NotBefore { get; }

            public HashSet<string> SeenBefore { get; } = new HashSet<string>(StringComparer.Ordinal);

            public int LastReadCount { get; set; }

            public bool UnknownBefore { get; set; }

            /// <summary>The last attempt whose outcome was unknown, for the error when the create cannot be settled.</summary>
            public AttemptResult? LastUnknown { get; set; }
        }
    }
}
