using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using Azure.Identity;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>Everything up to the credential, built from a ConnectRequest so it can be checked without a browser.</summary>
    internal sealed class SignInOptions
    {
        /// <summary>The Microsoft Graph PowerShell public client, as Connect-MgGraph uses by default.</summary>
        public const string DefaultClientId = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

        private static readonly string[] OpenIdScopes = { "openid", "profile", "offline_access", "email" };

        public CloudEnvironment Environment { get; private set; } = CloudEnvironment.Find("Global");

        public string ClientId { get; private set; } = DefaultClientId;

        public string TenantId { get; private set; } = "common";

        /// <summary>As the user named them, normalised (commas split, duplicates removed).</summary>
        public IReadOnlyList<string> Scopes { get; private set; } = Array.Empty<string>();

        /// <summary>As sent to the sign-in service: short names qualified with a national cloud's Graph host.</summary>
        public IReadOnlyList<string> RequestScopes { get; private set; } = Array.Empty<string>();

        public bool PersistCache { get; private set; }

        /// <summary>-AllowUnencryptedTokenCache: a plain owner-only file where the OS has no encrypted store.</summary>
        public bool AllowUnencryptedCache { get; private set; }

        public bool UseDeviceCode { get; private set; }

        /// <summary>How long the sign-in may take (-SignInTimeoutSec).</summary>
        public TimeSpan SignInTimeout { get; private set; }

        /// <summary>Test-only trust for a loopback authority's certificate; null for every real cloud.</summary>
        public LoopbackCertificateTrust? AuthorityTrust { get; private set; }

        /// <summary>
        /// A sign-in service on this machine (the sandbox): MSAL must not ask login.microsoftonline.com whether it is a
        /// known authority (instance discovery), which it cannot be.
        /// </summary>
        public bool IsLoopbackAuthority => Http.TransportRules.IsLoopback(Environment.AuthorityHost);

        public static SignInOptions From(ConnectRequest request)
        {
            var environment = CloudEnvironment.Resolve(request);
            if (environment.AuthorityHost.Scheme != Uri.UriSchemeHttps)
            {
                // Azure.Identity would refuse it with a bare ArgumentException.
                throw new ConnectionException(
                    "InsecureAuthority",
                    "-AuthorityHost " + environment.AuthorityHost.GetLeftPart(UriPartial.Authority) + " uses plain http; sign-in (MSAL) needs https, also on this machine. " +
                    "For the local sandbox start it with --https-port and use the https address it prints.");
            }

            var scopes = NormaliseScopes(request.Scopes);
            return new SignInOptions
            {
                Environment = environment,
                ClientId = string.IsNullOrWhiteSpace(request.ClientId) ? DefaultClientId : request.ClientId!.Trim(),
                TenantId = string.IsNullOrWhiteSpace(request.TenantId) ? "common" : request.TenantId!.Trim(),
                Scopes = scopes,
                RequestScopes = QualifyScopes(scopes, environment),
                PersistCache = ParseContextScope(request.ContextScope) == "CurrentUser",
                AllowUnencryptedCache = request.AllowUnencryptedTokenCache,
                UseDeviceCode = request.UseDeviceCode,
                SignInTimeout = request.SignInTimeout ?? TimeSpan.FromSeconds(request.UseDeviceCode ? 300 : 120),
                AuthorityTrust = LoopbackCertificateTrust.AppliesTo(environment.AuthorityHost) ? LoopbackCertificateTrust.From(request.TrustedLoopbackCertificate) : null,
            };
        }

        /// <summary>"User.Read, User.ReadWrite" and arrays alike; duplicates removed ignoring case; User.ReadWrite when empty.</summary>
        public static IReadOnlyList<string> NormaliseScopes(IEnumerable<string>? scopes)
        {
            var result = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var entry in scopes ?? Array.Empty<string>())
            {
                foreach (var part in (entry ?? string.Empty).Split(new[] { ',', ' ', ';' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    var scope = part.Trim();
                    if (scope.Length > 0 && seen.Add(scope))
                    {
                        result.Add(scope);
                    }
                }
            }

            if (result.Count == 0)
            {
                result.Add("User.ReadWrite");
            }

            return result;
        }

        /// <summary>National clouds need scopes on their own Graph host (graph-api.md §3.8); the global cloud takes short names.</summary>
        public static IReadOnlyList<string> QualifyScopes(IReadOnlyList<string> scopes, CloudEnvironment environment)
        {
            if (environment.Name == "Global" || environment.Name == "Custom")
            {
                return scopes;
            }

            var root = environment.GraphEndpoint.GetLeftPart(UriPartial.Authority);
            var result = new List<string>();
            foreach (var scope in scopes)
            {
                var isOpenId = Array.Exists(OpenIdScopes, s => string.Equals(s, scope, StringComparison.OrdinalIgnoreCase));
                result.Add(isOpenId || scope.IndexOf("://", StringComparison.Ordinal) >= 0 ? scope : root + "/" + scope);
            }

            return result;
        }

        public static string ParseContextScope(string? contextScope)
        {
            if (string.IsNullOrWhiteSpace(contextScope) || string.Equals(contextScope!.Trim(), "Process", StringComparison.OrdinalIgnoreCase))
            {
                return "Process";
            }

            if (string.Equals(contextScope.Trim(), "CurrentUser", StringComparison.OrdinalIgnoreCase))
            {
                return "CurrentUser";
            }

            throw new ConnectionException("InvalidContextScope", "-ContextScope must be Process or CurrentUser; got '" + contextScope + "'.");
        }

        /// <summary>
        /// The persisted cache: encrypted by the OS (DPAPI, Keychain, a Linux keyring) unless <paramref name="unencrypted"/>,
        /// which lets Azure.Identity fall back to a plain file (readable by its owner only) where there is no such store.
        /// </summary>
        public TokenCachePersistenceOptions? CachePersistence(bool persist, bool unencrypted = false) =>
            persist
                ? new TokenCachePersistenceOptions { Name = ProfileStore.TokenCacheName, UnsafeAllowUnencryptedStorage = unencrypted }
                : null;

        public InteractiveBrowserCredentialOptions BrowserOptions(AuthenticationRecord? record, bool persist, bool unencrypted = false)
        {
            return Configure(new InteractiveBrowserCredentialOptions
            {
                ClientId = ClientId,
                TenantId = TenantId,
                AuthorityHost = Environment.AuthorityHost,
                RedirectUri = new Uri("http://localhost"),
                TokenCachePersistenceOptions = CachePersistence(persist, unencrypted),
                AuthenticationRecord = record,
                // After Connect, a token that cannot be renewed silently ends in a clear error, never a surprise prompt.
                DisableAutomaticAuthentication = true,
            });
        }

        /// <summary>What both flows share: no instance discovery for a loopback authority, and its test-only trust.</summary>
        private T Configure<T>(T options) where T : TokenCredentialOptions
        {
            if (IsLoopbackAuthority)
            {
                switch (options)
                {
                    case InteractiveBrowserCredentialOptions browser:
                        browser.DisableInstanceDiscovery = true;
                        break;
                    case DeviceCodeCredentialOptions deviceCode:
                        deviceCode.DisableInstanceDiscovery = true;
                        break;
                }
            }

            if (AuthorityTrust != null)
            {
                options.Transport = new Azure.Core.Pipeline.HttpClientTransport(AuthorityTrust.CreateHandler());
            }

            return options;
        }

        public DeviceCodeCredentialOptions DeviceCodeOptions(AuthenticationRecord? record, bool persist, Action<string>? prompt, bool unencrypted = false)
        {
            return Configure(new DeviceCodeCredentialOptions
            {
                ClientId = ClientId,
                TenantId = TenantId,
                AuthorityHost = Environment.AuthorityHost,
                TokenCachePersistenceOptions = CachePersistence(persist, unencrypted),
                AuthenticationRecord = record,
                DisableAutomaticAuthentication = true,
                DeviceCodeCallback = (info, cancellationToken) =>
                {
                    prompt?.Invoke(info.Message);
                    return Task.CompletedTask;
                },
            });
        }

        /// <summary>A saved record is reused only for the same app and a matching tenant.</summary>
        public bool Matches(AuthenticationRecord record) =>
            string.Equals(record.ClientId, ClientId, StringComparison.OrdinalIgnoreCase)
            && (TenantId == "common" || TenantId == "organizations" || string.Equals(record.TenantId, TenantId, StringComparison.OrdinalIgnoreCase));
    }
}
