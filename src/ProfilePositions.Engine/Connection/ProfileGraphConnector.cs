using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Azure.Core;
using Azure.Identity;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Authentication.Azure;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// Signs in (a token the caller has, the browser, or a device code) and builds a connection. It keeps nothing:
    /// which runspace owns the connection, and which one is the process default, is the cmdlets' business.
    /// </summary>
    public static class ProfileGraphConnector
    {
        public static Task<ProfileGraphConnection> ConnectAsync(ConnectRequest request, CancellationToken cancellationToken) =>
            ConnectAsync(request, cancellationToken, null, null);

        /// <summary>Tests pass the innermost HTTP handler and retry settings; the module never does.</summary>
        internal static async Task<ProfileGraphConnection> ConnectAsync(ConnectRequest request, CancellationToken cancellationToken, HttpMessageHandler? finalHandler, Action<RetryPolicy>? configureRetry)
        {
            if (request == null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            var environment = CloudEnvironment.Resolve(request);
            if (request.AccessToken != null)
            {
                return ConnectWithToken(request, environment, finalHandler, configureRetry);
            }

            if (request.AccessTokenProvider != null)
            {
                return await ConnectWithProviderAsync(request, environment, finalHandler, configureRetry, cancellationToken).ConfigureAwait(false);
            }

            return await ConnectInteractiveAsync(request, cancellationToken, finalHandler, configureRetry).ConfigureAwait(false);
        }

        /// <summary>
        /// Removes a persisted sign-in (-ContextScope CurrentUser): for a CurrentUser connection being forgotten, and when
        /// no connection is in memory, so Disconnect-ProfileGraph in a new session still cleans up. Says which files went.
        /// </summary>
        public static ForgottenSignIn ForgetPersistedSignIn() => ProfileStore.Forget();

        private static ProfileGraphConnection ConnectWithToken(ConnectRequest request, CloudEnvironment environment, HttpMessageHandler? finalHandler, Action<RetryPolicy>? configureRetry)
        {
            if (SignInOptions.ParseContextScope(request.ContextScope) == "CurrentUser")
            {
                // Before the token is even read: nothing to keep, so the mistake is said before anything else.
                throw new ConnectionException(
                    "ContextScopeWithAccessToken",
                    "-ContextScope CurrentUser cannot be used with -AccessToken: CurrentUser keeps the module's own sign-in (its token cache and account) " +
                    "so that the next session signs in silently, and a token you pass in is not a sign-in the module can keep or renew. " +
                    "Either leave out -ContextScope (or use -ContextScope Process) with -AccessToken, or sign in with the browser or -UseDeviceCode " +
                    "and -ContextScope CurrentUser; for unattended runs that need fresh tokens, use -AccessTokenProvider.");
            }

            var token = AccessTokenInfo.Clean(request.AccessToken);
            var info = AccessTokenInfo.Decode(token);
            if (info.IsAppOnly)
            {
                throw new ConnectionException(
                    "AppOnlyTokenNotSupported",
                    "This is an app-only (application) token: it carries roles (" + string.Join(", ", info.Roles) + ") and no delegated scopes (scp). " +
                    "Microsoft Graph supports only delegated permissions for profile positions, so a signed-in user's token is needed: " +
                    "run Connect-ProfileGraph without -AccessToken, or pass a delegated token that has User.ReadWrite or User.ReadWrite.All.");
            }

            var redactor = new SecretRedactor();
            redactor.Register(token);
            if (info.ExpiresOn.HasValue && info.ExpiresOn.Value <= DateTimeOffset.UtcNow)
            {
                Warn(request, "The access token expired at " + info.ExpiresOn.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + "; Graph will refuse it. Get a new token and run Connect-ProfileGraph again.");
            }

            var context = new ProfileGraphContext
            {
                Account = info.Account,
                TenantId = info.TenantId,
                ClientId = info.ClientId,
                Scopes = info.Scopes.ToArray(),
                Environment = environment.Name,
                GraphEndpoint = environment.GraphEndpoint,
                AuthorityHost = environment.AuthorityHost,
                AuthType = "UserProvidedAccessToken",
                TokenCredentialType = "UserProvidedAccessToken",
                ContextScope = "Process",
                TokenExpiresOn = info.ExpiresOn,
            };
            var authentication = new BaseBearerTokenAuthenticationProvider(new StaticAccessTokenProvider(token, environment.GraphEndpoint));
            var renewal = new NoTokenRenewal(
                () => (info.ExpiresOn.HasValue && info.ExpiresOn.Value <= DateTimeOffset.UtcNow
                    ? "The token given with -AccessToken expired at " + info.ExpiresOn.Value.ToString("u", System.Globalization.CultureInfo.InvariantCulture) + " and cannot be renewed. "
                    : "The token given with -AccessToken cannot be renewed (it may have expired or been revoked). ") +
                "Get a new token and run Connect-ProfileGraph -AccessToken again, or connect with -AccessTokenProvider so that the module gets new tokens itself.",
                "Connect-ProfileGraph with a new token");
            return Create(context, authentication, redactor, finalHandler ?? GraphTrust(request, environment), finalHandler == null, configureRetry, info, renewal);
        }

        private static async Task<ProfileGraphConnection> ConnectWithProviderAsync(ConnectRequest request, CloudEnvironment environment, HttpMessageHandler? finalHandler, Action<RetryPolicy>? configureRetry, CancellationToken cancellationToken)
        {
            var redactor = new SecretRedactor();
            var tokens = new ProvidedAccessTokens(request.AccessTokenProvider!, environment.GraphEndpoint, redactor);
            // The first token, asked on the connecting command's pipeline thread: it says who is connected.
            await tokens.GetAsync(request.Events, cancellationToken).ConfigureAwait(false);
            var info = tokens.Current!;
            var context = new ProfileGraphContext
            {
                Account = info.Account,
                TenantId = info.TenantId,
                ClientId = info.ClientId,
                Scopes = info.Scopes.ToArray(),
                Environment = environment.Name,
                GraphEndpoint = environment.GraphEndpoint,
                AuthorityHost = environment.AuthorityHost,
                AuthType = "UserProvidedAccessToken",
                TokenCredentialType = "AccessTokenProvider",
                ContextScope = "Process",
                TokenExpiresOn = info.ExpiresOn,
            };
            return Create(context, tokens, redactor, finalHandler ?? GraphTrust(request, environment), finalHandler == null, configureRetry, info, tokens);
        }

        private static async Task<ProfileGraphConnection> ConnectInteractiveAsync(ConnectRequest request, CancellationToken cancellationToken, HttpMessageHandler? finalHandler, Action<RetryPolicy>? configureRetry)
        {
            var options = SignInOptions.From(request);
            // Null for the device code, which needs no browser here; otherwise why none can open (checked before a prompt).
            var cannotPrompt = options.UseDeviceCode ? null : BrowserAvailability.WhyNot(request.NonInteractiveHost);
            var storage = options.PersistCache ? CacheStorage.Encrypted : CacheStorage.None;
            if (storage != CacheStorage.None && !ProfileStore.HasDataRoot)
            {
                storage = CacheStorage.None;
                Warn(request, "Nothing will be saved: this account has no local application data folder (is HOME set?), so -ContextScope CurrentUser cannot keep the sign-in; you are signed in for this process only.");
            }

            AuthenticationRecord? record = null;
            if (storage != CacheStorage.None)
            {
                record = await ProfileStore.LoadRecordAsync(cancellationToken).ConfigureAwait(false);
                if (record != null && !options.Matches(record))
                {
                    record = null;
                }
            }

            // CAE on, as the Graph requests ask for it (Azure.Identity keeps CAE and non-CAE tokens apart).
            var tokenRequest = new TokenRequestContext(options.RequestScopes.ToArray(), isCaeEnabled: true);
            TokenCredential credential;
            AccessToken accessToken;
            try
            {
                (credential, record, accessToken) = await SignInAsync(options, request, record, storage, tokenRequest, cannotPrompt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (storage == CacheStorage.Encrypted && IsCachePersistenceFailure(ex))
            {
                // Azure.Identity checks the store before it signs in, so no prompt has been shown yet.
                if (options.AllowUnencryptedCache)
                {
                    storage = CacheStorage.Unencrypted;
                    try
                    {
                        (credential, record, accessToken) = await SignInAsync(options, request, record, storage, tokenRequest, cannotPrompt, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception again) when (IsCachePersistenceFailure(again))
                    {
                        storage = CacheStorage.None;
                        Warn(request, "Nothing will be saved: the token cache could not be written to " + ProfileStore.TokenCacheDirectory + " either, so you are signed in for this process only.");
                        (credential, record, accessToken) = await SignInAsync(options, request, null, storage, tokenRequest, cannotPrompt, cancellationToken).ConfigureAwait(false);
                    }
                }
                else
                {
                    storage = CacheStorage.None;
                    Warn(request, NothingSavedWithoutOptIn());
                    (credential, record, accessToken) = await SignInAsync(options, request, null, storage, tokenRequest, cannotPrompt, cancellationToken).ConfigureAwait(false);
                }
            }

            if (storage != CacheStorage.None && record != null)
            {
                await ProfileStore.SaveRecordAsync(record, cancellationToken).ConfigureAwait(false);
            }

            if (storage == CacheStorage.Unencrypted)
            {
                foreach (var file in ProfileStore.TokenCacheFiles())
                {
                    // MSAL writes it owner-only already; this makes sure of it.
                    OwnerOnly.RestrictFile(file);
                }

                Warn(request, UnencryptedCacheWarning());
            }

            var redactor = new SecretRedactor();
            redactor.Register(accessToken.Token);
            IReadOnlyList<string> grantedScopes = options.Scopes;
            AccessTokenInfo? info = null;
            try
            {
                info = AccessTokenInfo.Decode(accessToken.Token);
                if (info.Scopes.Count > 0)
                {
                    grantedScopes = info.Scopes;
                }
            }
            catch (ConnectionException)
            {
                // Some tokens are opaque to clients; the requested scopes are the best we know.
            }

            var context = new ProfileGraphContext
            {
                Account = record?.Username,
                TenantId = record?.TenantId ?? options.TenantId,
                ClientId = options.ClientId,
                Scopes = grantedScopes.ToArray(),
                Environment = options.Environment.Name,
                GraphEndpoint = options.Environment.GraphEndpoint,
                AuthorityHost = options.Environment.AuthorityHost,
                AuthType = "Delegated",
                TokenCredentialType = options.UseDeviceCode ? "DeviceCode" : "InteractiveBrowser",
                ContextScope = storage != CacheStorage.None ? "CurrentUser" : "Process",
                TokenExpiresOn = accessToken.ExpiresOn,
            };
            var requests = new SignedInCredential(credential, redactor, context.Account);
            var authentication = new AzureIdentityAuthenticationProvider(requests, new[] { options.Environment.GraphEndpoint.Host }, null, true, options.RequestScopes.ToArray());
            // MSAL renews the token before it expires; a token it holds that Graph refuses is not renewed by asking again.
            var renewal = new NoTokenRenewal(() => "Run Connect-ProfileGraph again to sign in.", "Connect-ProfileGraph");
            return Create(context, authentication, redactor, finalHandler ?? GraphTrust(request, options.Environment), finalHandler == null, configureRetry, info, renewal);
        }

        private static async Task<(TokenCredential Credential, AuthenticationRecord? Record, AccessToken Token)> SignInAsync(SignInOptions options, ConnectRequest request, AuthenticationRecord? record, CacheStorage storage, TokenRequestContext tokenRequest, string? cannotPrompt, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.SignInTimeout);
            var persist = storage != CacheStorage.None;
            var unencrypted = storage == CacheStorage.Unencrypted;

            try
            {
                if (options.UseDeviceCode)
                {
                    var deviceCode = new DeviceCodeCredential(options.DeviceCodeOptions(record, persist, request.DeviceCodePrompt, unencrypted));
                    return await AuthenticateAsync(deviceCode, record, tokenRequest, deviceCode.AuthenticateAsync, null, timeout.Token).ConfigureAwait(false);
                }

                var browser = new InteractiveBrowserCredential(options.BrowserOptions(record, persist, unencrypted));
                return await AuthenticateAsync(browser, record, tokenRequest, browser.AuthenticateAsync, cannotPrompt, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionException(
                    "SignInTimedOut",
                    "Sign-in did not finish within " + GraphTransport.Seconds(options.SignInTimeout) + " seconds (-SignInTimeoutSec). " +
                    (options.UseDeviceCode ? "Enter the code sooner, or give more time with -SignInTimeoutSec." : "If no browser can open here, use -UseDeviceCode.") + ProxyHint(options, null),
                    ex);
            }
            catch (AuthenticationFailedException ex) when (IsDeclined(ex))
            {
                throw new ConnectionException("SignInDeclined", "The sign-in was declined: the device code was refused on the sign-in page, so no new connection was made (a connection made before, if any, stays in use). Run Connect-ProfileGraph -UseDeviceCode again and approve the code.", ex);
            }
            catch (AuthenticationFailedException ex) when (!IsCachePersistenceFailure(ex))
            {
                throw new ConnectionException("AuthenticationFailed", "Sign-in failed: " + ex.Message + (options.UseDeviceCode ? string.Empty : " If no browser can open here, use -UseDeviceCode.") + UntrustedLoopbackHint(options, ex) + ProxyHint(options, ex), ex);
            }
            catch (CredentialUnavailableException ex) when (!IsCachePersistenceFailure(ex))
            {
                throw new ConnectionException("AuthenticationFailed", "Sign-in is not available: " + ex.Message, ex);
            }
        }

        /// <param name="cannotPrompt">Why no browser can open here: a saved account may still sign in silently, but nothing prompts.</param>
        private static async Task<(TokenCredential, AuthenticationRecord?, AccessToken)> AuthenticateAsync(TokenCredential credential, AuthenticationRecord? record, TokenRequestContext tokenRequest, Func<TokenRequestContext, CancellationToken, Task<AuthenticationRecord>> authenticate, string? cannotPrompt, CancellationToken cancellationToken)
        {
            if (record != null)
            {
                try
                {
                    // A saved account (ContextScope CurrentUser) signs in silently when its cached token can be renewed.
                    var silent = await credential.GetTokenAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
                    return (credential, record, silent);
                }
                catch (AuthenticationRequiredException)
                {
                }
            }

            if (cannotPrompt != null)
            {
                throw new ConnectionException(
                    "InteractiveSignInUnavailable",
                    "Connect-ProfileGraph cannot sign in with a browser here, because " + cannotPrompt + ". " + BrowserAvailability.Alternatives);
            }

            var signedIn = await authenticate(tokenRequest, cancellationToken).ConfigureAwait(false);
            var token = await credential.GetTokenAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
            return (credential, signedIn, token);
        }

        private static string NothingSavedWithoutOptIn() =>
            "Nothing will be saved: -ContextScope CurrentUser keeps the sign-in in an encrypted store, and this machine offers none " +
            "(on Linux that is a keyring reached through libsecret, such as GNOME Keyring, in a desktop session). You are signed in for this process only. " +
            "To keep the sign-in anyway, in a plain file under " + ProfileStore.TokenCacheDirectory + " that only you can read, connect with -ContextScope CurrentUser -AllowUnencryptedTokenCache.";

        private static string UnencryptedCacheWarning()
        {
            var file = ProfileStore.TokenCacheFiles().FirstOrDefault(System.IO.File.Exists) ?? ProfileStore.TokenCacheFiles().First();
            return "The token cache is kept unencrypted in " + file + " (readable by you only), as -AllowUnencryptedTokenCache allows, because this machine offers no encrypted store. " +
                "Whoever can read that file (you, an administrator, a backup) can use this sign-in until Disconnect-ProfileGraph removes it.";
        }

        private static bool IsDeclined(Exception ex)
        {
            for (var current = ex; current != null; current = current.InnerException)
            {
                // MSAL's MsalServiceException carries error authorization_declined, with Entra ID's AADSTS70000.
                if (current.Message.IndexOf("authorization_declined", StringComparison.Ordinal) >= 0 || current.Message.IndexOf("AADSTS70000:", StringComparison.Ordinal) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>A loopback https authority whose certificate was refused is the sandbox without the test-only opt-in.</summary>
        private static string UntrustedLoopbackHint(SignInOptions options, Exception ex)
        {
            if (options.AuthorityTrust != null || !LoopbackCertificateTrust.AppliesTo(options.Environment.AuthorityHost))
            {
                return string.Empty;
            }

            for (var current = ex; current != null; current = current.InnerException)
            {
                if (current is System.Security.Authentication.AuthenticationException)
                {
                    return " The certificate of " + options.Environment.AuthorityHost.GetLeftPart(UriPartial.Authority) + " is not trusted. If it is the local sandbox, set " +
                        ConnectRequest.TrustLoopbackCertificateVariable + " to the certificate file it printed (for tests only).";
                }
            }

            return string.Empty;
        }

        /// <summary>
        /// A sign-in that could not reach the authority (or timed out: ex null) while a proxy is in use says which proxy
        /// it used.
        /// </summary>
        private static string ProxyHint(SignInOptions options, Exception? ex)
        {
            var network = ex == null;
            for (var current = ex; current != null && !network; current = current.InnerException)
            {
                network = current is HttpRequestException || current is System.Net.Sockets.SocketException;
            }

            var proxy = network ? SystemProxy.For(options.Environment.AuthorityHost) : null;
            return proxy == null ? string.Empty : " The sign-in requests go through the proxy " + proxy + " (from HTTPS_PROXY/HTTP_PROXY or the system proxy settings): check that it allows " + options.Environment.AuthorityHost.Host + ", or list the host in NO_PROXY to go direct.";
        }

        /// <summary>The innermost handler for a loopback https Graph root under the test-only trust; null otherwise.</summary>
        private static HttpMessageHandler? GraphTrust(ConnectRequest request, CloudEnvironment environment) =>
            LoopbackCertificateTrust.AppliesTo(environment.GraphEndpoint) ? LoopbackCertificateTrust.From(request.TrustedLoopbackCertificate)?.CreateHandler() : null;

        internal static bool IsCachePersistenceFailure(Exception ex)
        {
            for (var current = ex; current != null; current = current.InnerException)
            {
                var name = current.GetType().Name;
                if (name.IndexOf("CachePersistence", StringComparison.Ordinal) >= 0
                    || current.Message.IndexOf("Persistence check failed", StringComparison.OrdinalIgnoreCase) >= 0
                    || current.Message.IndexOf("libsecret", StringComparison.OrdinalIgnoreCase) >= 0)
                {
                    return true;
                }
            }

            return false;
        }

        private static void Warn(ConnectRequest request, string message)
        {
            try
            {
                request.Warning?.Invoke(message);
            }
            catch (Exception)
            {
                // The caller's sink must not break the connection.
            }
        }

        /// <param name="ownsFinalHandler">True for the module's own handler (released with the client); tests keep theirs.</param>
        private static ProfileGraphConnection Create(ProfileGraphContext context, IAuthenticationProvider authentication, SecretRedactor redactor, HttpMessageHandler? finalHandler, bool ownsFinalHandler, Action<RetryPolicy>? configureRetry, AccessTokenInfo? token, ITokenRenewal renewal)
        {
            var adapter = GraphPipeline.CreateAdapter(authentication, redactor, finalHandler, ownsFinalHandler, out var httpClient);
            // $batch steps are built without authentication: only the envelope carries the token.
            var stepAdapter = new Microsoft.Kiota.Http.HttpClientLibrary.HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), GraphJson.ParseNodeFactory, GraphJson.WriterFactory, httpClient);
            // The preflight is certain only about what the token itself says: an opaque token, or one without scp, lets Graph decide.
            var auth = new AuthSnapshot
            {
                Scopes = context.Scopes,
                ScopesFromToken = token != null && token.Scopes.Count > 0,
                Account = context.Account,
                ObjectId = token?.ObjectId,
                UserPrincipalName = token?.UserPrincipalName,
                IsGuest = token?.IsGuest ?? false,
                ExpiresOn = context.TokenExpiresOn,
                Context = ProfileGraphConnection.Copy(context),
            };
            if (renewal is ProvidedAccessTokens provided)
            {
                provided.Auth = auth;
            }

            var retry = new RetryPolicy();
            configureRetry?.Invoke(retry);
            return new ProfileGraphConnection(context, adapter, stepAdapter, httpClient, auth, redactor, retry, renewal);
        }
    }
}
