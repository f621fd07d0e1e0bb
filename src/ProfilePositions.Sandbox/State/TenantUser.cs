namespace ProfilePositions.Sandbox.State;

/// <summary>A directory user the sandbox knows; positions hang off <see cref="Id"/>.</summary>
internal sealed record TenantUser(string Id, string UserPrincipalName, string DisplayName);
