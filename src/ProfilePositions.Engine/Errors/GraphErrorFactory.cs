using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Errors
{
    /// <summary>What the failed request was, for the hint.</summary>
    internal sealed class FailedRequest
    {
        public string Method { get; set; } = "GET";

        public string? UserId { get; set; }

        public string? PositionId { get; set; }

        /// <summary>How many times the retry handler sent it again.</summary>
        public int Retries { get; set; }

        public string? RetryAfter { get; set; }

        public string? ClientRequestId { get; set; }

        /// <summary>An earlier attempt of this update or removal got no clear answer, so it may have been applied.</summary>
        public bool EarlierAttemptMayHaveRun { get; set; }
    }

    /// <summary>Who is signed in, for hints: which scopes the token carries and when it expires.</summary>
    internal sealed class AuthSnapshot
    {
        public IReadOnlyList<string> Scopes { get; set; } = Array.Empty<string>();

        /// <summary>True when the scopes are the token's own scp claim (not the ones asked for): only then can the preflight be certain.</summary>
        public bool ScopesFromToken { get; set; }

        /// <summary>The token's upn claim (not preferred_username or email, which may differ from the UPN Graph knows).</summary>
        public string? UserPrincipalName { get; set; }

        /// <summary>The token is a guest's (acct 1, or an idp other than the issuer): its upn is not the UPN the tenant knows.</summary>
        public bool IsGuest { get; set; }

        /// <summary>The connection's settings, for the Connect-ProfileGraph command a hint gives.</summary>
        public ProfilePositions.ProfileGraphContext? Context { get; set; }

        public string? Account { get; set; }

        /// <summary>The signed-in user's object id, when the token says it.</summary>
        public string? ObjectId { get; set; }

        public DateTimeOffset? ExpiresOn { get; set; }
    }

    /// <summary>Reads Graph's OData error body (case-insensitive, empty messages allowed) and adds a hint for the status.</summary>
    internal static class GraphErrorFactory
    {
        public static GraphServiceException Create(int status, string? body, IReadOnlyDictionary<string, string> headers, FailedRequest request, AuthSnapshot? auth, SecretRedactor redactor)
        {
            string code = string.Empty;
            string message = string.Empty;
            string? requestId = null;
            string? clientRequestId = null;
            string? date = null;

            var error = ReadError(body);
            if (error != null)
            {
                code = GraphJson.Lookup(error, "code") as string ?? string.Empty;
                message = GraphJson.Lookup(error, "message") as string ?? string.Empty;
                if (GraphJson.Lookup(error, "innerError") is IDictionary<string, object?> inner)
                {
                    requestId = GraphJson.Lookup(inner, "request-id") as string;
                    clientRequestId = GraphJson.Lookup(inner, "client-request-id") as string;
                    date = GraphJson.Lookup(inner, "date") as string;
                }
            }
            else if (!string.IsNullOrWhiteSpace(body))
            {
                // Not Graph's error shape (a proxy's HTML page, say): show its start rather than nothing.
                var text = body!.Trim();
                message = text.Length > 200 ? text.Substring(0, 200) + "…" : text;
            }

            if (code.Length == 0)
            {
                code = DefaultCode(status);
            }

            requestId ??= Header(headers, "request-id");
            clientRequestId ??= Header(headers, "client-request-id") ?? request.ClientRequestId;
            date ??= Header(headers, "Date");
            request.RetryAfter ??= Header(headers, "Retry-After");

            var hint = Hint(status, code, message, request, auth);
            return new GraphServiceException(status, code, redactor.Redact(message), requestId, clientRequestId, date, redactor.Redact(hint));
        }

        private static IDictionary<string, object?>? ReadError(string? body)
        {
            if (string.IsNullOrWhiteSpace(body))
            {
                return null;
            }

            try
            {
                var root = (GraphJson.Parse(body!)) as IDictionary<string, object?>;
                return GraphJson.Lookup(root, "error") as IDictionary<string, object?>;
            }
            catch (JsonException)
            {
                return null;
            }
        }

        private static string? Header(IReadOnlyDictionary<string, string> headers, string name)
        {
            foreach (var pair in headers)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase) && pair.Value.Length > 0)
                {
                    return pair.Value;
                }
            }

            return null;
        }

        private static string DefaultCode(int status)
        {
            switch (status)
            {
                case 400: return "BadRequest";
                case 401: return "Unauthorized";
                case 403: return "Forbidden";
                case 404: return "NotFound";
                case 405: return "MethodNotAllowed";
                case 409: return "Conflict";
                case 429: return "TooManyRequests";
                case 500: return "InternalServerError";
                case 502: return "BadGateway";
                case 503: return "ServiceUnavailable";
                case 504: return "GatewayTimeout";
                default: return "HttpStatus" + status.ToString(CultureInfo.InvariantCulture);
            }
        }

        internal static string Hint(int status, string code, string message, FailedRequest request, AuthSnapshot? auth)
        {
            var hint = HintForStatus(status, code, message, request, auth);
            if (request.EarlierAttemptMayHaveRun && IsRepeatableWrite(request.Method))
            {
                var what = string.Equals(request.Method, "DELETE", StringComparison.OrdinalIgnoreCase) ? "the position may or may not have been removed" : "the update may or may not have been applied";
                hint = "An earlier attempt got no clear answer, so " + what + " (sending it again is safe)" + (string.IsNullOrEmpty(hint) ? string.Empty : "; " + hint);
            }

            return hint;
        }

        private static string HintForStatus(int status, string code, string message, FailedRequest request, AuthSnapshot? auth)
        {
            var isWrite = !string.Equals(request.Method, "GET", StringComparison.OrdinalIgnoreCase);
            switch (status)
            {
                case 401:
                    if (auth?.ExpiresOn != null && auth.ExpiresOn.Value <= DateTimeOffset.UtcNow)
                    {
                        return "The access token expired at " + auth.ExpiresOn.Value.ToString("u", CultureInfo.InvariantCulture) + "; run Connect-ProfileGraph again to get a new one";
                    }

                    return "Run Connect-ProfileGraph again (the token may have expired or been revoked)";
                case 403:
                    return ForbiddenHint(isWrite, request, auth);
                case 404:
                    return NotFoundHint(code, message, request);
                case 429:
                    return "Graph is throttling requests" + RetriedText(request) + "; " + WaitText(request) + " and try again later";
                case 400:
                    return string.IsNullOrWhiteSpace(message) || string.Equals(code, "UnknownError", StringComparison.OrdinalIgnoreCase)
                        ? "Graph rejected the request without details; check enum values (allowedAudiences, relationship, address type) and dates (yyyy-MM-dd)"
                        : string.Empty;
            }

            if (status >= 500)
            {
                // A create's unknown outcome is reconciled and its hint replaced by GraphPositionService.CreateAsync.
                return "The service is unavailable" + RetriedText(request) + "; " + (IsRepeatableWrite(request.Method) && status != 501 && status != 505 && status != 507
                    ? "the change may or may not have been applied: sending it again later is safe" : "try again later");
            }

            return string.Empty;
        }

        /// <summary>An update or a removal: sending it twice changes nothing more than sending it once (a create would not be).</summary>
        private static bool IsRepeatableWrite(string? method) =>
            string.Equals(method, "PATCH", StringComparison.OrdinalIgnoreCase) || string.Equals(method, "DELETE", StringComparison.OrdinalIgnoreCase);

        private static string RetriedText(FailedRequest request) =>
            request.Retries > 0 ? " (the request was retried " + request.Retries.ToString(CultureInfo.InvariantCulture) + (request.Retries == 1 ? " time)" : " times)") : string.Empty;

        private static string WaitText(FailedRequest request) =>
            string.IsNullOrEmpty(request.RetryAfter) ? "wait a little" : "wait " + request.RetryAfter + (double.TryParse(request.RetryAfter, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? " seconds" : string.Empty);

        private static string ForbiddenHint(bool isWrite, FailedRequest request, AuthSnapshot? auth)
        {
            var own = GraphPaths.IsMe(request.UserId) || (auth?.Account != null && string.Equals(auth.Account, request.UserId?.Trim(), StringComparison.OrdinalIgnoreCase));
            var needed = isWrite ? (own ? "User.ReadWrite" : "User.ReadWrite.All") : (own ? "User.Read" : "User.Read.All");
            var scopes = auth?.Scopes ?? Array.Empty<string>();
            var has = HasScope(scopes, needed);
            var tokenScopes = scopes.Count == 0 ? "none" : string.Join(" ", scopes);
            if (!has)
            {
                return "This " + (isWrite ? "change" : "read") + " of " + (own ? "your own profile" : "another user's profile") + " needs the delegated permission " + needed +
                       " (the token has: " + tokenScopes + "); run Connect-ProfileGraph -Scopes " + needed + " (an administrator may have to consent)";
            }

            return "The token has " + needed + ", yet Graph refused: the account may not be allowed to change this profile, or the position comes from another source (such as Entra ID or HR data) and cannot be edited here";
        }

        private static bool HasScope(IReadOnlyList<string> scopes, string needed)
        {
            var acceptable = new List<string> { needed };
            switch (needed)
            {
                case "User.Read":
                    acceptable.AddRange(new[] { "User.ReadWrite", "User.ReadBasic.All", "User.Read.All", "User.ReadWrite.All" });
                    break;
                case "User.Read.All":
                    acceptable.AddRange(new[] { "User.ReadBasic.All", "User.ReadWrite.All" });
                    break;
                case "User.ReadWrite":
                    acceptable.Add("User.ReadWrite.All");
                    break;
            }

            foreach (var scope in scopes)
            {
                var shortName = scope.Substring(scope.LastIndexOf('/') + 1);
                foreach (var candidate in acceptable)
                {
                    if (string.Equals(shortName, candidate, StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private static string NotFoundHint(string code, string message, FailedRequest request)
        {
            var user = GraphPaths.DisplayUser(request.UserId);
            var userMissing = request.PositionId == null
                || string.Equals(code, "Request_ResourceNotFound", StringComparison.OrdinalIgnoreCase)
                || (string.Equals(code, "ResourceNotFound", StringComparison.OrdinalIgnoreCase) && message.IndexOf("user", StringComparison.OrdinalIgnoreCase) >= 0);
            if (userMissing)
            {
                return "The user '" + user + "' was not found: check the object id or user principal name";
            }

            if (string.Equals(code, "itemNotFound", StringComparison.OrdinalIgnoreCase) || string.Equals(code, "ResourceNotFound", StringComparison.OrdinalIgnoreCase))
            {
                return "The position '" + request.PositionId + "' was not found on the profile of '" + user + "'";
            }

            return "The position '" + request.PositionId + "' was not found on the profile of '" + user + "', or it comes from another source (such as Entra ID) and cannot be changed here";
        }
    }
}
