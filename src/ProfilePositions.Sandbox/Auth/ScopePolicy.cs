namespace ProfilePositions.Sandbox.Auth;

/// <summary>Which delegated scopes the profile-positions operations need (graph-api.md §1.0).</summary>
internal static class ScopePolicy
{
    public const string InsufficientPrivilegesMessage = "Insufficient privileges to complete the operation.";
    public const string AppOnlyMessage = "The profile positions API does not support application permissions; use a delegated (user) token.";

    private static readonly string[] ReadOwn = ["User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All"];
    private static readonly string[] WriteOwn = ["User.ReadWrite", "User.ReadWrite.All"];
    private static readonly string[] ReadOther = ["User.Read.All", "User.ReadBasic.All", "User.ReadWrite.All"];
    private static readonly string[] WriteOther = ["User.ReadWrite.All"];

    public static bool Allows(CallerPrincipal caller, bool write, bool self) =>
        caller.HasAnyScope((write, self) switch
        {
            (false, true) => ReadOwn,
            (true, true) => WriteOwn,
            (false, false) => ReadOther,
            (true, false) => WriteOther,
        });
}
