using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>
    /// What <c>Connect-ProfileGraph</c> set up. Never holds the token itself. The object Connect-ProfileGraph and
    /// Get-ProfileGraphContext write also works as <c>-Connection</c>: it carries a reference to its live connection,
    /// which is not a property, so it is never shown, serialised or exported.
    /// </summary>
    public sealed class ProfileGraphContext
    {
        /// <summary>The live connection (an engine object); null for a context made by hand or deserialised.</summary>
        internal object? Connection;

        public string? Account { get; set; }

        public string? TenantId { get; set; }

        public string? ClientId { get; set; }

        public IReadOnlyList<string> Scopes { get; set; } = Array.Empty<string>();

        /// <summary>Global, USGov, USGovDoD, China, or Custom when -GraphEndpoint was given.</summary>
        public string Environment { get; set; } = "Global";

        /// <summary>The Graph root requests go to, without the version segment.</summary>
        public Uri? GraphEndpoint { get; set; }

        public Uri? AuthorityHost { get; set; }

        /// <summary>Delegated (interactive or device code) or UserProvidedAccessToken.</summary>
        public string AuthType { get; set; } = "Delegated";

        /// <summary>InteractiveBrowser, DeviceCode or UserProvidedAccessToken.</summary>
        public string TokenCredentialType { get; set; } = "InteractiveBrowser";

        /// <summary>Process or CurrentUser.</summary>
        public string ContextScope { get; set; } = "Process";

        public DateTimeOffset? TokenExpiresOn { get; set; }

        /// <summary>"adele@contoso.com (tenant) at https://graph.microsoft.com/", never the token.</summary>
        public override string ToString() =>
            (Account ?? "unknown account") + (TenantId == null ? string.Empty : " (" + TenantId + ")") + " at " + GraphEndpoint;
    }
}
