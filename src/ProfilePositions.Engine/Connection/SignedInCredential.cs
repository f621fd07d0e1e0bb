using System;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// The credential of one signed-in connection as its requests use it. Token requests go one at a time, so requests in
    /// flight together never refresh with the same refresh token at once (Entra ID rotates it), and every token handed
    /// out is masked in the connection's texts. Once the sign-in cannot be renewed silently (the refresh token expired or
    /// was revoked), every later request gets the same <see cref="SignInRequiredException"/> at once, without asking the
    /// identity platform again: one clear error, no retry storm.
    /// </summary>
    internal sealed class SignedInCredential : TokenCredential
    {
        private readonly TokenCredential _inner;
        private readonly SecretRedactor _redactor;
        private readonly string _account;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private SignInRequiredException? _ended;

        public SignedInCredential(TokenCredential inner, SecretRedactor redactor, string? account)
        {
            _inner = inner;
            _redactor = redactor;
            _account = string.IsNullOrEmpty(account) ? "this account" : account!;
        }

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            GetTokenAsync(requestContext, cancellationToken).AsTask().GetAwaiter().GetResult();

        public override async ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (_ended != null)
                {
                    throw _ended;
                }

                var token = await _inner.GetTokenAsync(requestContext, cancellationToken).ConfigureAwait(false);
                _redactor.Register(token.Token);
                return token;
            }
            catch (AuthenticationRequiredException ex)
            {
                _ended = new SignInRequiredException(_account, _redactor.Redact(IdentityPlatformReason(ex)), ex);
                throw _ended;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>The identity platform's own first line (AADSTS50173: ... revoked), when MSAL passed it on.</summary>
        private static string? IdentityPlatformReason(Exception ex)
        {
            for (var current = ex.InnerException; current != null; current = current.InnerException)
            {
                var message = current.Message;
                var at = message.IndexOf("AADSTS", StringComparison.Ordinal);
                if (at >= 0)
                {
                    // Its first sentence: the rest (dates, trace and correlation ids) is for Microsoft's support.
                    var line = message.Substring(at);
                    var end = line.IndexOfAny(new[] { '\r', '\n' });
                    line = end >= 0 ? line.Substring(0, end) : line;
                    var sentence = line.IndexOf(". ", StringComparison.Ordinal);
                    return (sentence >= 0 ? line.Substring(0, sentence) : line).Trim();
                }
            }

            return null;
        }
    }
}
