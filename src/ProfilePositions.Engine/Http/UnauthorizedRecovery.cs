using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// What a 401 means for one operation, plain or a $batch item: Graph refused the token, and wrote nothing. Where the
    /// connection can renew its token (a token provider), it does so once for every request refused with the same token,
    /// and the request goes out once more (a $batch item in a new envelope); a 401 that this cannot fix stops the run with
    /// <see cref="AccessTokenRejectedException"/>, since every later request would be refused the same way.
    /// </summary>
    internal sealed class UnauthorizedRecovery : IRequestSender
    {
        private readonly IRequestSender _inner;
        private readonly ITokenRenewal _renewal;
        private readonly PositionResponses _responses;
        private readonly System.Action<System.Exception> _halt;

        /// <param name="halt">Stops the sender from sending anything more (see BatchDispatcher.Halt).</param>
        public UnauthorizedRecovery(IRequestSender inner, ITokenRenewal renewal, PositionResponses responses, System.Action<System.Exception> halt)
        {
            _inner = inner;
            _renewal = renewal;
            _responses = responses;
            _halt = halt;
        }

        public async Task<RawResponse> SendAsync(PositionRequest request, int attempt, EngineEvents events, CancellationToken cancellationToken)
        {
            var generation = _renewal.Generation;
            var response = await _inner.SendAsync(request, attempt, events, cancellationToken).ConfigureAwait(false);
            if (response.Status != 401)
            {
                return response;
            }

            bool renewed;
            try
            {
                renewed = await _renewal.RenewAfterUnauthorizedAsync(generation, events, cancellationToken).ConfigureAwait(false);
            }
            catch (AccessTokenProviderException failed)
            {
                _halt(failed);
                throw;
            }

            if (renewed)
            {
                events.Verbose(request + ": Graph refused the access token (401, nothing was written); sending it once more with a new token.");
                response = await _inner.SendAsync(request, attempt, events, cancellationToken).ConfigureAwait(false);
                if (response.Status != 401)
                {
                    return response;
                }
            }

            var error = _responses.Error(request, response, 0);
            var rejected = new AccessTokenRejectedException(error.Code, "Graph refused the access token: " + error.Summary + " " + _renewal.Remedy(renewed), _renewal.BeforeResuming, error);
            _halt(rejected);
            throw rejected;
        }
    }
}
