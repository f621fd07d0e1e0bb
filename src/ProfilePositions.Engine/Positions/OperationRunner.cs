using System;
using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// Runs a read, an update or a delete to its end through the retry policy, the same for a plain request and a $batch
    /// item: 429 and 5xx answers (but 501, 505 and 507) are sent again after Graph's wait; a request that was not sent, or
    /// whose outcome is unknown (a connection lost, a timeout), is sent again too, since reading, patching and deleting twice changes nothing
    /// more; a delete that finds its position gone after an earlier attempt whose outcome was unknown has succeeded.
    /// Creates have their own loop (<see cref="CreateReconciler"/>), because sending a create twice makes two.
    /// </summary>
    internal sealed class OperationRunner
    {
        private readonly IRequestSender _sender;
        private readonly RetryPolicy _policy;
        private readonly PositionResponses _responses;

        public OperationRunner(IRequestSender sender, RetryPolicy policy, PositionResponses responses, Batching.BulkCounters counters)
        {
            _sender = sender;
            _policy = policy;
            _responses = responses;
            Counters = counters;
        }

        public Batching.BulkCounters Counters { get; }

        public RetryPolicy Policy => _policy;

        public IRequestSender Sender => _sender;

        public PositionResponses Responses => _responses;

        /// <summary>The body of the final successful answer as plain values (null when empty), or the error that ended it.</summary>
        public async Task<object?> RunAsync(PositionRequest request, EngineEvents events, CancellationToken cancellationToken)
        {
            var attempts = 0;
            var unknownBefore = false;
            Func<CancellationToken, ValueTask<AttemptResult>> run =
                async token =>
                {
                    if (++attempts > 1)
                    {
                        Counters.RetryWaitEnded();
                    }

                    var attempt = await AttemptAsync(request, attempts, events, token).ConfigureAwait(false);
                    var verdict = attempt.Verdict;
                    if (request.Method == Microsoft.Kiota.Abstractions.Method.DELETE && unknownBefore && attempt.Response?.Status == 404)
                    {
                        // An earlier attempt whose outcome was unknown removed it.
                        events.Verbose(request.Logged + ": the position is gone; the earlier attempt, whose outcome was unknown, removed it.");
                        return new AttemptResult(RetryVerdict.Done, new RawResponse(204, RawResponse.NewHeaders(), string.Empty), null, null);
                    }

                    unknownBefore |= attempt.Failure?.MayHaveBeenApplied == true || (attempt.Response != null && IsUnknownOutcome(attempt.Response.Status));
                    attempt.OnRetry = (number, wait) => Counters.RetryWaitStarted();
                    attempt.OnRetry += (number, wait) => events.Verbose(request.Logged + " (attempt " + number + "): " + Describe(attempt) + "; waiting " + GraphTransport.Seconds(wait) + " s, then sending it again (attempt " + (number + 1) + " of " + (_policy.MaxRetries + 1) + ").");
                    return attempt;
                };
            var result = await RetryPolicy.RunAsync(_policy, run, cancellationToken).ConfigureAwait(false);

            if (result.Failure != null)
            {
                throw Final(result.Failure, attempts, unknownBefore ? WriteMayHaveRun(request) : null);
            }

            // A 429 after an attempt that got no clear answer (a 503 after its commit, a reset) is no proof it did not run.
            var earlierMayHaveRun = unknownBefore && !(result.Response!.IsSuccess || IsUnknownOutcome(result.Response.Status));
            return _responses.Read(request, result.Response!, attempts - 1, earlierMayHaveRun);
        }

        /// <summary>Sends one attempt and says what it asks for next (for a read, an update or a delete).</summary>
        private async Task<AttemptResult> AttemptAsync(PositionRequest request, int attempt, EngineEvents events, CancellationToken cancellationToken)
        {
            try
            {
                var response = await _sender.SendAsync(request, attempt, events, cancellationToken).ConfigureAwait(false);
                var status = response.Status;
                // Throttled, unavailable, or an outcome that is unknown (500, 502...): reading, patching and deleting
                // again is safe.
                var retry = status == 429 || IsUnknownOutcome(status);
                return new AttemptResult(retry ? RetryVerdict.Retry : RetryVerdict.Done, response, null, retry ? _policy.RetryAfter(response.Header("Retry-After")) : null);
            }
            catch (TransportFailure failure)
            {
                return new AttemptResult(RetryVerdict.Retry, null, failure, null);
            }
        }

        /// <summary>
        /// A server error that may follow a commit: 5xx but 501 Not Implemented, 505 HTTP Version Not Supported and 507
        /// Insufficient Storage, which say the request was not carried out and will not be by sending it again.
        /// </summary>
        internal static bool IsUnknownOutcome(int status) => status >= 500 && status <= 599 && status != 501 && status != 505 && status != 507;

        /// <summary>What an update or removal that may have run means for the user, or null for a read.</summary>
        internal static string? WriteMayHaveRun(PositionRequest request) =>
            request.Method == Microsoft.Kiota.Abstractions.Method.PATCH ? "The update may or may not have been applied; sending it again is safe (it sets the same values)"
            : request.Method == Microsoft.Kiota.Abstractions.Method.DELETE ? "The position may or may not have been removed; removing it again is safe (a 404 then means it is gone)"
            : null;

        internal static string Describe(AttemptResult attempt) =>
            attempt.Response != null ? attempt.Response.Status.ToString(System.Globalization.CultureInfo.InvariantCulture) + (attempt.RetryAfter.HasValue ? ", Retry-After " + GraphTransport.Seconds(attempt.RetryAfter.Value) + " s" : string.Empty)
            : attempt.Failure!.Kind + ": " + attempt.Failure.Message;

        /// <summary>The error for a request that got no answer in the end.</summary>
        internal static ConnectionException Final(TransportFailure failure, int attempts, string? afterwards = null)
        {
            var tries = " (tried " + attempts + (attempts == 1 ? " time)" : " times)") + (afterwards == null ? string.Empty : ". " + afterwards);
            switch (failure.Kind)
            {
                case TransportFailureKind.NotSent:
                    return new EndpointUnreachableException(failure.Message.TrimEnd('.') + tries + ".", failure);
                case TransportFailureKind.TimedOut:
                    return new ConnectionException(ConnectionException.TimeoutId, failure.Message.TrimEnd('.') + tries + ".", failure);
                case TransportFailureKind.CutOff:
                    return new ConnectionException(ConnectionException.CutOffId, failure.Message.TrimEnd('.') + tries + ".", failure);
                default:
                    return new ConnectionException(ConnectionException.ConnectionLostId, failure.Message.TrimEnd('.') + tries + ".", failure);
            }
        }
    }
}
