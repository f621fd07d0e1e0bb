namespace ProfilePositions.Sandbox.Identity;

/// <summary>
/// The <c>scope</c> parameter of a sign-in request, split the way Entra ID reads it: OpenID Connect scopes
/// (<c>openid profile email offline_access</c>), Microsoft Graph scopes in short (<c>User.Read</c>) or resource form
/// (<c>https://graph.microsoft.com/User.Read</c>), and <c>.default</c>. The sandbox issues Graph tokens only.
/// </summary>
internal sealed class RequestedScopes
{
    /// <summary>What <c>.default</c> grants when no approval names scopes: the module's default scope.</summary>
    public static readonly IReadOnlyList<string> DefaultGrant = ["User.ReadWrite"];

    private static readonly string[] GraphPrefixes = ["https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000/"];
    private static readonly HashSet<string> OpenIdScopes = new(["openid", "profile", "email", "offline_access"], StringComparer.OrdinalIgnoreCase);

    private RequestedScopes(IReadOnlyList<string> sent, IReadOnlyList<string> graph, IReadOnlyList<string> openId, bool isDefault, string? prefix, string? invalid)
    {
        Sent = sent;
        Graph = graph;
        OpenId = openId;
        IsDefault = isDefault;
        Prefix = prefix;
        Invalid = invalid;
    }

    /// <summary>Every scope as the client wrote it.</summary>
    public IReadOnlyList<string> Sent { get; }

    /// <summary>Graph scopes in short form, without <c>.default</c>.</summary>
    public IReadOnlyList<string> Graph { get; }

    public IReadOnlyList<string> OpenId { get; }

    public bool IsDefault { get; }

    /// <summary>The resource prefix the client used for Graph scopes, if any.</summary>
    public string? Prefix { get; }

    /// <summary>The first scope for another resource; such requests are refused.</summary>
    public string? Invalid { get; }

    public bool WantsIdToken => OpenId.Contains("openid", StringComparer.OrdinalIgnoreCase);

    public bool WantsRefreshToken => OpenId.Contains("offline_access", StringComparer.OrdinalIgnoreCase);

    public static RequestedScopes Parse(string? text)
    {
        var sent = (text ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var graph = new List<string>();
        var openId = new List<string>();
        var isDefault = false;
        string? prefix = null;
        string? invalid = null;
        foreach (var scope in sent)
        {
            if (OpenIdScopes.Contains(scope))
            {
                openId.Add(scope.ToLowerInvariant());
                continue;
            }

            var shortName = scope;
            var matched = GraphPrefixes.FirstOrDefault(candidate => scope.StartsWith(candidate, StringComparison.OrdinalIgnoreCase));
            if (matched is not null)
            {
                prefix ??= scope[..matched.Length];
                shortName = scope[matched.Length..];
            }
            else if (scope.Contains('/', StringComparison.Ordinal) || scope.Contains(':', StringComparison.Ordinal))
            {
                invalid ??= scope;
                continue;
            }

            if (shortName.Equals(".default", StringComparison.OrdinalIgnoreCase))
            {
                isDefault = true;
            }
            else if (shortName.Length > 0 && !graph.Contains(shortName, StringComparer.OrdinalIgnoreCase))
            {
                graph.Add(shortName);
            }
        }

        return new RequestedScopes(sent, graph, openId, isDefault, prefix, invalid);
    }

    /// <summary>The Graph scopes a sign-in grants when nobody chose them: those asked for, or the default for <c>.default</c>.</summary>
    public IReadOnlyList<string> ToGrant() =>
        IsDefault ? Graph.Union(DefaultGrant, StringComparer.OrdinalIgnoreCase).ToList() : Graph;

    /// <summary>The requested Graph scopes the grant does not hold (for refresh: consent would be needed).</summary>
    public IReadOnlyList<string> NotIn(IReadOnlyList<string> grant) =>
        Graph.Where(scope => !grant.Contains(scope, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <summary>
    /// The response's <c>scope</c>: what was asked for and granted, as the client wrote it (so MSAL's cache finds the
    /// token again with the same request), then any further granted scope in the client's own form.
    /// </summary>
    public string ResponseScope(IReadOnlyList<string> grant)
    {
        var result = new List<string>();
        foreach (var scope in Sent)
        {
            var matched = GraphPrefixes.FirstOrDefault(candidate => scope.StartsWith(candidate, StringComparison.OrdinalIgnoreCase));
            var shortName = matched is null ? scope : scope[matched.Length..];
            if (OpenIdScopes.Contains(scope) || shortName.Equals(".default", StringComparison.OrdinalIgnoreCase) || grant.Contains(shortName, StringComparer.OrdinalIgnoreCase))
            {
                result.Add(scope);
            }
        }

        foreach (var scope in grant)
        {
            if (!Graph.Contains(scope, StringComparer.OrdinalIgnoreCase) && !OpenIdScopes.Contains(scope))
            {
                result.Add((Prefix ?? string.Empty) + scope);
            }
        }

        return string.Join(' ', result.Distinct(StringComparer.OrdinalIgnoreCase));
    }
}
