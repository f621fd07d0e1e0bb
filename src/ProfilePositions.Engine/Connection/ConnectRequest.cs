using System;
using System.Collections.Generic;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>How to sign in: the cmdlet fills this from its parameters.</summary>
    public sealed class ConnectRequest
    {
        /// <summary>The delegated permissions the profile API knows (graph-api.md §1.0), for tab completion.</summary>
        public static IReadOnlyList<string> KnownScopes { get; } = new[] { "User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All" };

        public IReadOnlyList<string> Scopes { get; set; } = new[] { "User.ReadWrite" };

        public string? TenantId { get; set; }

        public string? ClientId { get; set; }

        /// <summary>Global, USGov, USGovDoD or China; ignored when GraphEndpoint is set.</summary>
        public string Environment { get; set; } = "Global";

        /// <summary>Graph root for any other cloud or the sandbox, e.g. http://127.0.0.1:5000 (the engine adds /beta).</summary>
        public Uri? GraphEndpoint { get; set; }

        public Uri? AuthorityHost { get; set; }

        /// <summary>A token the caller already has (runbooks); decoded, never validated locally.</summary>
        public string? AccessToken { get; set; }

        /// <summary>
        /// -AccessTokenProvider: returns a delegated access token each time it is called (at connect, before the current
        /// token expires, after a 401). The engine never calls it on its own threads: it hands the call to the command
        /// whose request needs the token (through that command's EngineEvents, as an <see cref="EngineEventKind.Call"/>),
        /// so it runs on that command's pipeline thread; at connect, through <see cref="Events"/>.
        /// </summary>
        public Func<string?>? AccessTokenProvider { get; set; }

        /// <summary>The connecting command's sink: at connect, the token provider runs through it.</summary>
        public EngineEvents? Events { get; set; }

        public bool UseDeviceCode { get; set; }

        /// <summary>Process keeps tokens in memory; CurrentUser persists the token cache and account record.</summary>
        public string ContextScope { get; set; } = "Process";

        /// <summary>
        /// -AllowUnencryptedTokenCache: with ContextScope CurrentUser, where the OS offers no encrypted store (Linux
        /// without a keyring), keep the token cache in a plain file readable by its owner only instead of not at all.
        /// </summary>
        public bool AllowUnencryptedTokenCache { get; set; }

        /// <summary>
        /// Why the host cannot show a browser sign-in (PowerShell started with -NonInteractive, a remote session), as
        /// the cmdlet found it; null when the host itself is no obstacle. The engine adds what it can see (display, CI).
        /// </summary>
        public string? NonInteractiveHost { get; set; }

        /// <summary>
        /// How long an interactive or device-code sign-in may take; null: 120 seconds for the browser, 300 for a device
        /// code (someone has to type it on another device).
        /// </summary>
        public TimeSpan? SignInTimeout { get; set; }

        /// <summary>The environment variable that names <see cref="TrustedLoopbackCertificate"/> (test-only).</summary>
        public const string TrustLoopbackCertificateVariable = "PROFILEPOSITIONS_TRUST_LOOPBACK_CERT";

        /// <summary>
        /// Test-only: the PEM file of a self-signed certificate (the local sandbox's) to accept from a loopback
        /// -AuthorityHost or -GraphEndpoint over https. Endpoints on other hosts are never affected.
        /// </summary>
        public string? TrustedLoopbackCertificate { get; set; }

        /// <summary>Receives the device-code prompt. Called on a worker thread: the caller must marshal it.</summary>
        public Action<string>? DeviceCodePrompt { get; set; }

        /// <summary>
        /// Receives things the user should know but that do not stop the connection (an expired token, a token cache
        /// that could not be persisted). May be called on a worker thread: the caller must marshal it.
        /// </summary>
        public Action<string>? Warning { get; set; }
    }
}
