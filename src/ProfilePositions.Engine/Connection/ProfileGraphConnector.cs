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

            return await ConnectInteractiveAsync(request, cancellationToken, finalHandler, configureRetry).ConfigureAwait(false);
        }

        /// <summary>
        /// Removes a persisted sign-in (-ContextScope CurrentUser) when no connection is in memory to be forgotten, so
        /// Disconnect-ProfileGraph in a new session still cleans up. Returns each file that could not be removed.
        /// </summary>
        public static IReadOnlyList<string> ForgetPersistedSignIn() => ProfileStore.Forget();

        private static ProfileGraphConnection ConnectWithToken(ConnectRequest request, CloudEnvironment environment, HttpMessageHandler? finalHandler, Action<RetryPolicy>? configureRetry)
        {
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

            if (SignInOptions.ParseContextScope(request.ContextScope) == "CurrentUser")
            {
                Warn(request, "An access token is kept for this process only; -ContextScope CurrentUser applies to interactive and device-code sign-in.");
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
            return Create(context, authentication, redactor, finalHandler ?? GraphTrust(request, environment), finalHandler == null, configureRetry, info);
        }

        private static async Task<ProfileGraphConnection> ConnectInteractiveAsync(ConnectRequest request, CancellationToken cancellationToken, HttpMessageHandler? finalHandler, Action<RetryPolicy>? configureRetry)
        {
            var options = SignInOptions.From(request);
            var persist = options.PersistCache;
            AuthenticationRecord? record = null;
            if (persist)
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
                (credential, record, accessToken) = await SignInAsync(options, request, record, persist, tokenRequest, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (persist && IsCachePersistenceFailure(ex))
            {
                persist = false;
                Warn(request, "The token cache could not be stored securely on this machine (no keyring or keychain is available), so you are signed in for this process only.");
                (credential, record, accessToken) = await SignInAsync(options, request, null, false, tokenRequest, cancellationToken).ConfigureAwait(false);
            }

            if (persist && record != null)
            {
                await ProfileStore.SaveRecordAsync(record, cancellationToken).ConfigureAwait(false);
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
                ContextScope = persist ? "CurrentUser" : "Process",
                TokenExpiresOn = accessToken.ExpiresOn,
            };
            var requests = new SignedInCredential(credential, redactor, context.Account);
            var authentication = new AzureIdentityAuthenticationProvider(requests, new[] { options.Environment.GraphEndpoint.Host }, null, true, options.RequestScopes.ToArray());
            return Create(context, authentication, redactor, finalHandler ?? GraphTrust(request, options.Environment), finalHandler == null, configureRetry, info);
        }

        private static async Task<(TokenCredential Credential, AuthenticationRecord? Record, AccessToken Token)> SignInAsync(SignInOptions options, ConnectRequest request, AuthenticationRecord? record, bool persist, TokenRequestContext tokenRequest, CancellationToken cancellationToken)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.SignInTimeout);

            try
            {
                if (options.UseDeviceCode)
                {
                    var deviceCode = new DeviceCodeCredential(options.DeviceCodeOptions(record, persist, request.DeviceCodePrompt));
                    return await AuthenticateAsync(deviceCode, record, tokenRequest, deviceCode.AuthenticateAsync, timeout.Token).ConfigureAwait(false);
                }

                var browser = new InteractiveBrowserCredential(options.BrowserOptions(record, persist));
                return await AuthenticateAsync(browser, record, tokenRequest, browser.AuthenticateAsync, timeout.Token).ConfigureAwait(false);
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
                throw new ConnectionException("SignInDeclined", "The sign-in was declined: the device code was refused on the sign-in page, so nothing is connected. Run Connect-ProfileGraph -UseDeviceCode again and approve the code.", ex);
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

        private static async Task<(TokenCredential, AuthenticationRecord?, AccessToken)> AuthenticateAsync(TokenCredential credential, AuthenticationRecord? record, TokenRequestContext tokenRequest, Func<TokenRequestContext, CancellationToken, Task<AuthenticationRecord>> authenticate, CancellationToken cancellationToken)
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

            var signedIn = await authenticate(tokenRequest, cancellationToken).ConfigureAwait(false);
            var token = await credential.GetTokenAsync(tokenRequest, cancellationToken).ConfigureAwait(false);
            return (credential, signedIn, token);
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
        private static ProfileGraphConnection Create(ProfileGraphContext context, IAuthenticationProvider authentication, SecretRedactor redactor, HttpMessageHandler? finalHandler, bool ownsFinalHandler, Action<RetryPolicy>? configureRetry, AccessTokenInfo? token)
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
            var retry = new RetryPolicy();
            configureRetry?.Invoke(retry);
            return new ProfileGraphConnection(context, adapter, stepAdapter, httpClient, auth, redactor, retry);
        }
    }
}
