using System;
using System.Linq;
using System.Collections.Generic;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// The tokens of a connection made with -AccessTokenProvider. The provider is asked at connect; again before the
    /// current token expires (when less than 5 minutes are left, or less than half of the time the token had when it
    /// came, whichever is shorter, so a short-lived token is not renewed for every request; a token without an expiry is
    /// kept until Graph refuses it); and once after a 401, for every request refused with the same token. One request asks
    /// at a time; those that waited meanwhile take what it got, and once it failed the command's other requests take its error. The provider is the user's code and belongs
    /// to a runspace: it is never run here, but handed to the command whose request needs the token, through that
    /// command's <see cref="EngineEvents"/>, and runs on its pipeline thread (see <see cref="EngineEvents.CallAsync"/>).
    /// Every token it returns is checked (a JWT, delegated, not expired, the same user) and masked in the connection's texts.
    /// </summary>
    internal sealed class ProvidedAccessTokens : IAuthenticationProvider, ITokenRenewal
    {
        /// <summary>The most a token is renewed ahead of its expiry.</summary>
        internal static readonly TimeSpan RenewAhead = TimeSpan.FromMinutes(5);

        private readonly Func<string?> _provider;
        private readonly SecretRedactor _redactor;
        private readonly AllowedHostsValidator _hosts;
        private readonly string _graphHost;
        private readonly Func<DateTimeOffset> _now;
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private readonly object _state = new object();
        private string? _token;
        private AccessTokenInfo? _info;
        private DateTimeOffset _renewAt = DateTimeOffset.MinValue;
        private int _generation;
        private Exception? _lastFailure;
        private EngineEvents? _lastFailureEvents;
        private string? _account;
        private string? _objectId;

        /// <param name="provider">Runs the user's provider; called only on a pipeline thread (through a command's events).</param>
        public ProvidedAccessTokens(Func<string?> provider, Uri graphRoot, SecretRedactor redactor, Func<DateTimeOffset>? now = null)
        {
            _provider = provider;
            _redactor = redactor;
            _hosts = new AllowedHostsValidator(new[] { graphRoot.Host });
            _graphHost = graphRoot.Host;
            _now = now ?? (() => DateTimeOffset.UtcNow);
        }

        /// <summary>Told of every new token's expiry (the connection's context and hints).</summary>
        public AuthSnapshot? Auth { get; set; }

        public int Generation
        {
            get
            {
                lock (_state)
                {
                    return _generation;
                }
            }
        }

        /// <summary>What the current token says about itself (after the first <see cref="GetAsync"/>).</summary>
        public AccessTokenInfo? Current
        {
            get
            {
                lock (_state)
                {
                    return _info;
                }
            }
        }

        public string BeforeResuming => "checking the token provider";

        public string Remedy(bool renewed) =>
            "The -AccessTokenProvider script block " + (renewed ? "gave a new token and Graph refused it too" : "gave a token Graph refuses") +
            ": make sure it returns a current delegated token for " + _graphHost + " (User.ReadWrite or User.ReadWrite.All).";

        /// <summary>The current token, asking the provider first when there is none or it is due for renewal.</summary>
        public async Task<string> GetAsync(EngineEvents? events, CancellationToken cancellationToken)
        {
            lock (_state)
            {
                if (_token != null && _now() < _renewAt)
                {
                    return _token;
                }
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                lock (_state)
                {
                    if (_token != null && _now() < _renewAt)
                    {
                        return _token;
                    }

                    ThrowIfFailedFor(events);
                }

                return await AskAsync(events, null, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task<bool> RenewAfterUnauthorizedAsync(int generation, EngineEvents events, CancellationToken cancellationToken)
        {
            lock (_state)
            {
                if (_generation != generation)
                {
                    return true;
                }

                // Refused: no request takes this token any more; they wait for the renewal instead.
                _renewAt = DateTimeOffset.MinValue;
            }

            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                string? refused;
                lock (_state)
                {
                    if (_generation != generation)
                    {
                        // Another request refused with the same token renewed it meanwhile.
                        return true;
                    }

                    ThrowIfFailedFor(events);
                    refused = _token;
                }

                await AskAsync(events, refused, cancellationToken).ConfigureAwait(false);
                return true;
            }
            finally
            {
                _gate.Release();
            }
        }

        public async Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            var uri = request.URI;
            if (uri == null || !_hosts.IsUrlHostValid(uri) || !TransportRules.MaySendToken(uri))
            {
                return;
            }

            EngineEvents? events = null;
            foreach (var option in request.RequestOptions)
            {
                if (option is EngineEventsOption carried)
                {
                    events = carried.Events;
                }
            }

            var token = await GetAsync(events, cancellationToken).ConfigureAwait(false);
            request.Headers.Remove("Authorization");
            request.Headers.Add("Authorization", "Bearer " + token);
        }

        /// <summary>Runs the provider on the pipeline thread of the command that needs the token; checks what it gave. Under the gate.</summary>
        private async Task<string> AskAsync(EngineEvents? events, string? refused, CancellationToken cancellationToken)
        {
            lock (_state)
            {
                _lastFailure = null;
                _lastFailureEvents = null;
            }

            try
            {
                if (events == null || ReferenceEquals(events, EngineEvents.None))
                {
                    throw new InvalidOperationException("A request of this connection needs a token outside a command, so the -AccessTokenProvider script block cannot run.");
                }

                string? text;
                try
                {
                    text = await events.CallAsync(_provider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    throw;
                }
                catch (AccessTokenProviderException)
                {
                    throw;
                }
                catch (Exception ex)
                {
                    throw new AccessTokenProviderException(AccessTokenProviderException.FailedId, "The -AccessTokenProvider script block failed: " + _redactor.Redact(ex.Message).TrimEnd('.') + ". No token, so nothing more can be sent with this connection.", ex);
                }

                return Accept(text, refused);
            }
            catch (Exception ex) when (!(ex is OperationCanceledException))
            {
                lock (_state)
                {
                    _lastFailure = ex;
                    _lastFailureEvents = events;
                }

                throw;
            }
        }

        /// <summary>
        /// The provider failed for this command already: its other requests take the same error rather than asking again
        /// (the command stops at the first). Another command asks afresh, since what failed may have been passing.
        /// </summary>
        private void ThrowIfFailedFor(EngineEvents? events)
        {
            if (_lastFailure != null && events != null && ReferenceEquals(_lastFailureEvents, events))
            {
                throw _lastFailure;
            }
        }

        private string Accept(string? text, string? refused)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                throw new AccessTokenProviderException("AccessTokenProviderReturnedNothing", "The -AccessTokenProvider script block returned no token: it must return the access token as a string or SecureString (its last output). Nothing more can be sent with this connection.");
            }

            string token;
            AccessTokenInfo info;
            try
            {
                token = AccessTokenInfo.Clean(text);
                info = AccessTokenInfo.Decode(token);
            }
            catch (ConnectionException ex)
            {
                throw new AccessTokenProviderException(ex.ErrorId, "The -AccessTokenProvider script block returned something that is not an access token. " + ex.Message, ex);
            }

            // Masked before any message could quote it.
            _redactor.Register(token);
            if (info.IsAppOnly)
            {
                throw new AccessTokenProviderException(
                    "AppOnlyTokenNotSupported",
                    "The -AccessTokenProvider script block returned an app-only (application) token: it carries roles (" + string.Join(", ", info.Roles) + ") and no delegated scopes (scp). " +
                    "Microsoft Graph supports only delegated permissions for profile positions (a managed identity or a client secret gives app-only tokens): return a signed-in user's token, for example one redeemed from a stored refresh token.");
            }

            var now = _now();
            if (info.ExpiresOn.HasValue && info.ExpiresOn.Value <= now)
            {
                throw new AccessTokenProviderException(
                    "AccessTokenProviderExpiredToken",
                    "The -AccessTokenProvider script block returned a token that expired at " + Utc(info.ExpiresOn.Value) + ": it must return a current token (get a new one each time it is called, rather than a stored one).");
            }

            if (refused != null && string.Equals(token, refused, StringComparison.Ordinal))
            {
                throw new AccessTokenProviderException(
                    "AccessTokenProviderSameToken",
                    "Graph refused the access token (401), and the -AccessTokenProvider script block returned the same token again" +
                    (info.ExpiresOn.HasValue ? " (it expires at " + Utc(info.ExpiresOn.Value) + ")" : string.Empty) + ": it must get a new token each time it is called.");
            }

            lock (_state)
            {
                if (_generation > 0 && !SameUser(info))
                {
                    throw new AccessTokenProviderException(
                        "AccessTokenProviderOtherUser",
                        "The -AccessTokenProvider script block returned a token for " + (info.Account ?? info.ObjectId ?? "another user") + ", but this connection was made as " + (_account ?? _objectId) + ". Connect again to work as another user.");
                }

                _account ??= info.Account;
                _objectId ??= info.ObjectId;
                _token = token;
                _info = info;
                _generation++;
                _renewAt = RenewalTime(now, info.ExpiresOn);
                if (Auth != null)
                {
                    // The scope preflight and the 403 check follow the token now in use.
                    Auth.ExpiresOn = info.ExpiresOn;
                    Auth.Scopes = info.Scopes.ToArray();
                    Auth.ScopesFromToken = info.Scopes.Count > 0;
                }
            }

            return token;
        }

        private bool SameUser(AccessTokenInfo info) =>
            (_objectId == null || info.ObjectId == null || string.Equals(_objectId, info.ObjectId, StringComparison.OrdinalIgnoreCase))
            && (_account == null || info.Account == null || string.Equals(_account, info.Account, StringComparison.OrdinalIgnoreCase));

        /// <summary>5 minutes before the expiry, or half-way through what was left when the token came if that is sooner; never for a token without one.</summary>
        internal static DateTimeOffset RenewalTime(DateTimeOffset received, DateTimeOffset? expiresOn)
        {
            if (!expiresOn.HasValue)
            {
                return DateTimeOffset.MaxValue;
            }

            var left = expiresOn.Value - received;
            var ahead = TimeSpan.FromTicks(Math.Min(RenewAhead.Ticks, left.Ticks / 2));
            return expiresOn.Value - ahead;
        }

        private static string Utc(DateTimeOffset value) => value.ToUniversalTime().ToString("u", CultureInfo.InvariantCulture);
    }
}
