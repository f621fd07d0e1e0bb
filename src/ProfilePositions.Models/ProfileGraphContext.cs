using System;
using System.Collections.Generic;

namespace ProfilePositions
{
    /// <summary>What <c>Connect-ProfileGraph</c> set up. Never holds the token itself.</summary>
    public sealed class ProfileGraphContext
    {
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
    }
}
