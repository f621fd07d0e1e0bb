using System;
using System.Collections.Generic;
using System.Linq;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>What the preflight knows about one operation before it is sent.</summary>
    public enum ScopeVerdict
    {
        /// <summary>The token carries a scope that allows the operation.</summary>
        Allowed,

        /// <summary>The module cannot tell (opaque token, no scp, a user who may be the signed-in one): Graph decides.</summary>
        Unknown,

        /// <summary>Certainly missing: Graph would answer 403 to this and to every operation like it.</summary>
        Missing,
    }

    /// <summary>Whose profile a -UserId names, as far as the token can tell without asking the directory.</summary>
    internal enum TargetUser
    {
        /// <summary>me, the token's oid or its upn.</summary>
        SignedIn,

        /// <summary>Certainly somebody else: another object id, or a UPN with another name than the token's upn.</summary>
        Other,

        /// <summary>Perhaps the signed-in user: a UPN of another domain with the same name, a guest's token, a token without oid or upn.</summary>
        Unsure,
    }

    /// <summary>The preflight's answer for one operation.</summary>
    internal sealed class ScopeCheck
    {
        public ScopeCheck(ScopeVerdict verdict, bool write, TargetUser target, string? needed)
        {
            Verdict = verdict;
            Write = write;
            Target = target;
            Needed = needed;
        }

        public ScopeVerdict Verdict { get; }

        public bool Write { get; }

        public TargetUser Target { get; }

        /// <summary>The least scope that would allow it (when missing).</summary>
        public string? Needed { get; }
    }

    /// <summary>
    /// The scope preflight (graph-api.md §1.0): from the token's scp, oid and upn, which delegated scope an operation
    /// needs. Reading one's own profile needs User.Read (or any User.* scope that includes it); writing it User.ReadWrite
    /// or User.ReadWrite.All; reading another user's User.ReadBasic.All, User.Read.All or User.ReadWrite.All; writing it
    /// User.ReadWrite.All. A verdict is Missing only when it is certain, so that nothing is refused that Graph would allow:
    /// opaque tokens, tokens without scp, the AgentIdUser.* scopes (which allow agent users' profiles, whoever they are),
    /// guests' tokens and a UPN that may be an alias of the signed-in user are sent, and Graph decides.
    /// </summary>
    internal static class ScopePreflight
    {
        private static readonly string[] ReadOwn = { "User.Read", "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All" };
        private static readonly string[] WriteOwn = { "User.ReadWrite", "User.ReadWrite.All" };
        private static readonly string[] ReadOther = { "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All" };
        private static readonly string[] WriteOther = { "User.ReadWrite.All" };

        /// <summary>Scopes that allow the operations for agent users, whom no token claim tells apart: never a certain refusal.</summary>
        private static readonly string[] Uncertain = { "AgentIdUser.ReadWrite.All", "AgentIdUser.ReadWrite.IdentityParentedBy" };

        public static ScopeCheck Evaluate(AuthSnapshot? auth, bool write, string? userId)
        {
            var target = Classify(auth, userId);
            if (auth == null || !auth.ScopesFromToken)
            {
                return new ScopeCheck(ScopeVerdict.Unknown, write, target, null);
            }

            var hasOwn = HasAny(auth.Scopes, write ? WriteOwn : ReadOwn);
            var hasOther = HasAny(auth.Scopes, write ? WriteOther : ReadOther);
            var ownScope = write ? "User.ReadWrite" : "User.Read";
            var otherScope = write ? "User.ReadWrite.All" : "User.Read.All";
            ScopeCheck check;
            switch (target)
            {
                case TargetUser.SignedIn:
                    check = new ScopeCheck(hasOwn ? ScopeVerdict.Allowed : ScopeVerdict.Missing, write, target, hasOwn ? null : ownScope);
                    break;
                case TargetUser.Other:
                    check = new ScopeCheck(hasOther ? ScopeVerdict.Allowed : ScopeVerdict.Missing, write, target, hasOther ? null : otherScope);
                    break;
                default:
                    // Perhaps the signed-in user: a scope for one's own profile may be enough, so Graph decides. With none
                    // at all, neither the own profile nor another's can be reached.
                    check = hasOther ? new ScopeCheck(ScopeVerdict.Allowed, write, target, null)
                        : hasOwn ? new ScopeCheck(ScopeVerdict.Unknown, write, target, null)
                        : new ScopeCheck(ScopeVerdict.Missing, write, target, otherScope);
                    break;
            }

            if (check.Verdict == ScopeVerdict.Missing && HasAny(auth.Scopes, Uncertain))
            {
                return new ScopeCheck(ScopeVerdict.Unknown, write, target, null);
            }

            return check;
        }

        /// <summary>The error for an operation the preflight refuses (Missing), or null.</summary>
        public static MissingScopeException? Refusal(AuthSnapshot? auth, bool write, string? userId, GraphServiceException? graphAnswer = null)
        {
            var check = Evaluate(auth, write, userId);
            if (check.Verdict != ScopeVerdict.Missing)
            {
                return null;
            }

            var whose = check.Target == TargetUser.SignedIn ? "your own profile" : check.Target == TargetUser.Other ? "the profile of another user ('" + userId!.Trim() + "')" : "the profile of '" + userId!.Trim() + "'";
            var what = (write ? "Writing " : "Reading ") + whose;
            var has = auth!.Scopes.Count == 0 ? "none" : string.Join(" ", auth.Scopes);
            var fix = FixCommand(auth, check.Needed!);
            var message = what + " needs the delegated permission " + check.Needed + ", which this connection's token does not have (its scopes: " + has + ")" +
                (graphAnswer == null ? ", so it was not sent" : "; " + graphAnswer.Summary.TrimEnd('.')) +
                ". Every other " + (write ? "write" : "read") + (check.Target == TargetUser.SignedIn ? string.Empty : " of another user's profile") + " would be refused the same way. " +
                (auth.Context != null && IsAccessToken(auth.Context)
                    ? "Connect with a token that carries it (Connect-ProfileGraph -Scopes " + check.Needed + " signs in with it; an administrator may have to consent): " + fix
                    : "Sign in with that permission (an administrator may have to consent): " + fix);
            return new MissingScopeException(check.Needed!, fix, message, graphAnswer);
        }

        /// <summary>
        /// The Connect-ProfileGraph command that asks for the scope, on the same cloud, tenant, client and flow as this
        /// connection; for a connection made with -AccessToken, the same command with a token that carries the scope.
        /// </summary>
        internal static string FixCommand(AuthSnapshot auth, string scope)
        {
            var context = auth.Context;
            if (context != null && IsAccessToken(context))
            {
                return "Connect-ProfileGraph -AccessToken <a token that carries " + scope + ">" + EnvironmentArguments(context, withAuthority: false);
            }

            var parts = new List<string> { "Connect-ProfileGraph", "-Scopes", scope };
            if (context != null)
            {
                if (string.Equals(context.TokenCredentialType, "DeviceCode", StringComparison.OrdinalIgnoreCase))
                {
                    parts.Add("-UseDeviceCode");
                }

                if (!string.IsNullOrEmpty(context.TenantId) && !IsCommonTenant(context.TenantId!))
                {
                    parts.Add("-TenantId");
                    parts.Add(context.TenantId!);
                }

                if (!string.IsNullOrEmpty(context.ClientId) && !string.Equals(context.ClientId, SignInOptions.DefaultClientId, StringComparison.OrdinalIgnoreCase))
                {
                    parts.Add("-ClientId");
                    parts.Add(context.ClientId!);
                }
            }

            return string.Join(" ", parts) + (context == null ? string.Empty : EnvironmentArguments(context, withAuthority: true));
        }

        private static string EnvironmentArguments(ProfileGraphContext context, bool withAuthority)
        {
            if (string.Equals(context.Environment, "Custom", StringComparison.OrdinalIgnoreCase) && context.GraphEndpoint != null)
            {
                return " -GraphEndpoint " + context.GraphEndpoint.GetLeftPart(UriPartial.Path).TrimEnd('/') +
                    (withAuthority && context.AuthorityHost != null ? " -AuthorityHost " + context.AuthorityHost.GetLeftPart(UriPartial.Path).TrimEnd('/') : string.Empty);
            }

            return !string.IsNullOrEmpty(context.Environment) && !string.Equals(context.Environment, "Global", StringComparison.OrdinalIgnoreCase)
                ? " -Environment " + context.Environment
                : string.Empty;
        }

        private static bool IsAccessToken(ProfileGraphContext context) => string.Equals(context.AuthType, "UserProvidedAccessToken", StringComparison.OrdinalIgnoreCase);

        private static bool IsCommonTenant(string tenant) =>
            string.Equals(tenant, "common", StringComparison.OrdinalIgnoreCase) || string.Equals(tenant, "organizations", StringComparison.OrdinalIgnoreCase);

        internal static TargetUser Classify(AuthSnapshot? auth, string? userId)
        {
            if (GraphPaths.IsMe(userId))
            {
                return TargetUser.SignedIn;
            }

            var text = userId!.Trim();
            if (text.Length == 0 || string.Equals(text, "me", StringComparison.OrdinalIgnoreCase))
            {
                return TargetUser.SignedIn;
            }

            if (auth == null)
            {
                return TargetUser.Unsure;
            }

            if (Guid.TryParse(text, out var id))
            {
                // Object ids have no aliases: another id is another user, when the token says whose it is.
                if (auth.ObjectId != null && Guid.TryParse(auth.ObjectId, out var own))
                {
                    return id == own ? TargetUser.SignedIn : TargetUser.Other;
                }

                return TargetUser.Unsure;
            }

            if (auth.UserPrincipalName != null && string.Equals(text, auth.UserPrincipalName, StringComparison.OrdinalIgnoreCase))
            {
                return TargetUser.SignedIn;
            }

            if (auth.ObjectId != null && string.Equals(text, auth.ObjectId, StringComparison.OrdinalIgnoreCase))
            {
                return TargetUser.SignedIn;
            }

            // A guest's token names the home account (or nothing) rather than the #EXT# UPN Graph knows it by; a token
            // without upn names nobody; a name that is not a UPN is Graph's to resolve.
            if (auth.IsGuest || auth.UserPrincipalName == null || text.IndexOf('@') <= 0)
            {
                return TargetUser.Unsure;
            }

            // The same name in another domain may be the signed-in user's UPN in another verified domain of the tenant.
            if (string.Equals(LocalPart(text), LocalPart(auth.UserPrincipalName), StringComparison.OrdinalIgnoreCase))
            {
                return TargetUser.Unsure;
            }

            return TargetUser.Other;
        }

        private static string LocalPart(string upn)
        {
            var at = upn.LastIndexOf('@');
            return at > 0 ? upn.Substring(0, at) : upn;
        }

        private static bool HasAny(IReadOnlyList<string> scopes, IEnumerable<string> wanted) =>
            scopes.Any(scope => wanted.Any(candidate => string.Equals(ShortName(scope), candidate, StringComparison.OrdinalIgnoreCase)));

        /// <summary>"https://graph.microsoft.com/User.Read" is User.Read.</summary>
        internal static string ShortName(string scope) => scope.Substring(scope.LastIndexOf('/') + 1);
    }
}
