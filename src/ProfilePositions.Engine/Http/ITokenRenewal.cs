using System.Threading;
using System.Threading.Tasks;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// Whether, and how, a connection gets a new access token after Graph refused one (401). Only a connection with a
    /// token provider can: a -AccessToken is what it is, and MSAL hands back the token it holds until that expires.
    /// </summary>
    internal interface ITokenRenewal
    {
        /// <summary>Counts the tokens the connection has had; read before a request goes out.</summary>
        int Generation { get; }

        /// <summary>
        /// After a 401 for a request sent when <see cref="Generation"/> was <paramref name="generation"/>: gets a new token
        /// (once, for all requests refused with the same one) and returns true, or returns false when this connection
        /// cannot renew. Throws <see cref="Errors.AccessTokenProviderException"/> when the provider fails.
        /// </summary>
        Task<bool> RenewAfterUnauthorizedAsync(int generation, EngineEvents events, CancellationToken cancellationToken);

        /// <summary>What the user should do, for the error that stops the run; <paramref name="renewed"/>: a new token was refused too.</summary>
        string Remedy(bool renewed);

        /// <summary>What to do before running the command again ("Connect-ProfileGraph"), for the stop message.</summary>
        string BeforeResuming { get; }
    }

    /// <summary>A connection that cannot renew its token (-AccessToken, or MSAL's sign-in).</summary>
    internal sealed class NoTokenRenewal : ITokenRenewal
    {
        private readonly System.Func<string> _remedy;

        /// <param name="remedy">What to do, said when the run stops (a token's expiry is judged then).</param>
        public NoTokenRenewal(System.Func<string> remedy, string beforeResuming)
        {
            _remedy = remedy;
            BeforeResuming = beforeResuming;
        }

        public string BeforeResuming { get; }

        public int Generation => 0;

        public Task<bool> RenewAfterUnauthorizedAsync(int generation, EngineEvents events, CancellationToken cancellationToken) => Task.FromResult(false);

        public string Remedy(bool renewed) => _remedy();
    }
}
