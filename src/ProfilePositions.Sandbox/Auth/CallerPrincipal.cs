namespace ProfilePositions.Sandbox.Auth;

/// <summary>Who is calling, as read from a valid sandbox token.</summary>
internal sealed class CallerPrincipal(string objectId, string? userPrincipalName, string? displayName, IReadOnlySet<string> scopes, IReadOnlySet<string> roles, bool isAppOnly, long expiresAt, long notBefore, string audience)
{
    public string ObjectId { get; } = objectId;

    public string? UserPrincipalName { get; } = userPrincipalName;

    public string? DisplayName { get; } = displayName;

    public IReadOnlySet<string> Scopes { get; } = scopes;

    public IReadOnlySet<string> Roles { get; } = roles;

    /// <summary>An application token: <c>roles</c> and no <c>scp</c>.</summary>
    public bool IsAppOnly { get; } = isAppOnly;

    public long ExpiresAt { get; } = expiresAt;

    public long NotBefore { get; } = notBefore;

    public string Audience { get; } = audience;

    public bool HasAnyScope(IEnumerable<string> wanted) => wanted.Any(Scopes.Contains);

    /// <summary>Whether a user segment (object id or UPN) names the caller, decided without a directory lookup.</summary>
    public bool IsSelf(string idOrUpn) =>
        string.Equals(idOrUpn, ObjectId, StringComparison.OrdinalIgnoreCase)
        || (UserPrincipalName is not null && string.Equals(idOrUpn, UserPrincipalName, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The result of reading the Authorization header: a principal, or the 401 to send.</summary>
internal readonly record struct TokenCheck(CallerPrincipal? Principal, string? FailureMessage)
{
    public static TokenCheck Fail(string message) => new(null, message);
}
