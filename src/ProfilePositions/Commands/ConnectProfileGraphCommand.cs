using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Net;
using System.Security;
using ProfilePositions.Connections;
using ProfilePositions.Engine.Connection;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Signs in to Microsoft Graph with delegated permissions (browser, device code, or a token the caller already has).
    /// The connection belongs to this runspace (the first one in the process also becomes the process default). Writes
    /// the context, never the token; that object also works as -Connection.
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "ProfileGraph", DefaultParameterSetName = Interactive)]
    [OutputType(typeof(ProfileGraphContext))]
    public sealed class ConnectProfileGraphCommand : ProfileGraphCommand
    {
        private const string Interactive = "Interactive";
        private const string AccessTokenSet = "AccessToken";
        private const string AccessTokenProviderSet = "AccessTokenProvider";

        /// <summary>Delegated permissions to ask for; User.ReadWrite.All is needed to write other users' profiles. Commas split.</summary>
        [Parameter(ParameterSetName = Interactive)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ScopeCompleter))]
        public string[] Scopes { get; set; } = { "User.ReadWrite" };

        /// <summary>The tenant (id or domain) to sign in to; the default is the account's home tenant.</summary>
        [Parameter(ParameterSetName = Interactive)]
        [ValidateNotNullOrEmpty]
        public string? TenantId { get; set; }

        /// <summary>The application (client) id to sign in with; the default is the module's public client.</summary>
        [Parameter(ParameterSetName = Interactive)]
        [ValidateNotNullOrEmpty]
        public string? ClientId { get; set; }

        /// <summary>Signs in with a device code: the prompt is written to the host, for sessions without a browser.</summary>
        [Parameter(ParameterSetName = Interactive)]
        [Alias("UseDeviceAuthentication", "DeviceCode")]
        public SwitchParameter UseDeviceCode { get; set; }

        /// <summary>How long to wait for the sign-in to finish: 120 seconds for the browser and 300 for a device code unless given.</summary>
        [Parameter(ParameterSetName = Interactive)]
        [ValidateRange(1, 3600)]
        public int SignInTimeoutSec { get; set; }

        /// <summary>
        /// Process keeps tokens in memory only; CurrentUser keeps the token cache so the next session signs in silently.
        /// In every parameter set, so that CurrentUser with -AccessToken gets an error that says why, not "Parameter set
        /// cannot be resolved".
        /// </summary>
        [Parameter]
        [ValidateSet("Process", "CurrentUser", IgnoreCase = true)]
        public string ContextScope { get; set; } = "Process";

        /// <summary>
        /// With -ContextScope CurrentUser where the OS offers no encrypted store (Linux without a keyring): keep the token
        /// cache in a plain file readable by you only, instead of not at all. A switch, not an environment variable, so
        /// the choice is visible in the command that makes it.
        /// </summary>
        [Parameter(ParameterSetName = Interactive)]
        public SwitchParameter AllowUnencryptedTokenCache { get; set; }

        /// <summary>A delegated access token for Graph (runbooks). It is decoded, not validated locally; app-only tokens are refused.</summary>
        [Parameter(ParameterSetName = AccessTokenSet, Mandatory = true)]
        public SecureString? AccessToken { get; set; }

        /// <summary>
        /// Returns a delegated access token (string or SecureString) each time it is called: at connect, before the current
        /// token expires, and once after Graph refuses one (401). For runs longer than one token. It runs in the runspace
        /// of the command that needs the token, so it must not rely on variables of the session that connected.
        /// </summary>
        [Parameter(ParameterSetName = AccessTokenProviderSet, Mandatory = true)]
        [ValidateNotNull]
        public ScriptBlock? AccessTokenProvider { get; set; }

        /// <summary>The national cloud: Global, USGov, USGovDoD or China.</summary>
        [Parameter]
        [ValidateSet("Global", "USGov", "USGovDoD", "China", IgnoreCase = true)]
        [ArgumentCompleter(typeof(EnvironmentCompleter))]
        public string Environment { get; set; } = "Global";

        /// <summary>The Graph root for any other cloud or for the sandbox, for example http://127.0.0.1:5000; /beta is added.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? GraphEndpoint { get; set; }

        /// <summary>The sign-in authority for a cloud given with -GraphEndpoint.</summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? AuthorityHost { get; set; }

        /// <summary>
        /// Accepted so that Connect-MgGraph -NoWelcome lines migrate by renaming the cmdlet; this cmdlet writes no welcome
        /// message, so it changes nothing.
        /// </summary>
        [Parameter]
        public SwitchParameter NoWelcome { get; set; }

        protected override void EndProcessing()
        {
            var request = new ConnectRequest
            {
                Scopes = Scopes,
                TenantId = TenantId,
                ClientId = ClientId,
                Environment = Environment,
                GraphEndpoint = GraphEndpoint,
                AuthorityHost = AuthorityHost,
                UseDeviceCode = UseDeviceCode,
                ContextScope = ContextScope,
                AllowUnencryptedTokenCache = AllowUnencryptedTokenCache,
                NonInteractiveHost = HostInteractivity.WhyNot(Host),
                SignInTimeout = MyInvocation.BoundParameters.ContainsKey(nameof(SignInTimeoutSec)) ? TimeSpan.FromSeconds(SignInTimeoutSec) : (TimeSpan?)null,
                // Test-only: lets the module accept the local sandbox's self-signed certificate on loopback addresses.
                TrustedLoopbackCertificate = System.Environment.GetEnvironmentVariable(ConnectRequest.TrustLoopbackCertificateVariable),
                DeviceCodePrompt = EngineSink.Host,
                Warning = EngineSink.Warning,
                Events = EngineSink,
            };

            if (AccessTokenProvider != null)
            {
                request.AccessTokenProvider = new TokenProviderScript(AccessTokenProvider).Invoke;
            }

            if (AccessToken != null)
            {
                request.AccessToken = new NetworkCredential(string.Empty, AccessToken).Password;
            }

            try
            {
                var connection = RunEngine(cancellationToken => ProfileGraphConnector.ConnectAsync(request, cancellationToken));
                ConnectionRegistry.Register(CurrentRunspace, connection);
                WriteObject(ContextHandles.ContextOf(connection));
            }
            catch (Exception exception) when (!(exception is PipelineStoppedException))
            {
                // A failed sign-in leaves nothing to carry on with.
                ThrowTerminatingError(ErrorRecords.From(exception, GraphEndpoint?.ToString() ?? Environment));
            }
        }
    }
}
