using System.Globalization;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.Identity;

/// <summary>
/// An error of the identity platform's token endpoints in Entra ID's shape:
/// <c>{"error","error_description":"AADSTSnnn: … Trace ID … Correlation ID … Timestamp …","error_codes":[n],"timestamp","trace_id","correlation_id","error_uri"[,"suberror"]}</c>.
/// </summary>
internal sealed record AadError(int Status, string Error, int Code, string Message, string? Suberror = null)
{
    // Device code flow (AADSTS70016 and AADSTS70020 as Entra ID sends them; the declined code is not documented).
    public static AadError AuthorizationPending { get; } = new(400, "authorization_pending", 70016,
        "OAuth 2.0 device flow error. Authorization is pending. Continue polling.");

    public static AadError AuthorizationDeclined { get; } = new(400, "authorization_declined", 70000,
        "The end user denied the authorization request.");

    public static AadError DeviceCodeExpired { get; } = new(400, "expired_token", 70020,
        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.");

    public static AadError DeviceCodeUnknown { get; } = new(400, "bad_verification_code", 70018,
        "The provided value for the input parameter 'device_code' is not valid. The device code was not recognized.");

    public static AadError DeviceCodeRedeemed { get; } = new(400, "invalid_grant", 54005,
        "The device code was already redeemed, please retry with a new device code or use an existing refresh token.");

    // Refresh tokens and authorization codes.
    public static AadError GrantExpired { get; } = new(400, "invalid_grant", 70008,
        "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.",
        "bad_token");

    public static AadError GrantRevoked(long authTime, long validFrom) => new(400, "invalid_grant", 50173,
        "The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. "
        + $"The grant was issued on '{Iso(authTime)}' and the TokensValidFrom date (before which tokens are not valid) for this user is '{Iso(validFrom)}'.",
        "bad_token");

    public static AadError GrantMalformed { get; } = new(400, "invalid_grant", 9002313,
        "Invalid request. Request is malformed or invalid.", "bad_token");

    public static AadError GrantOfOtherClient { get; } = new(400, "invalid_grant", 70000,
        "Provided grant is invalid or malformed: it was issued to another client_id.", "bad_token");

    public static AadError CodeRedeemed { get; } = new(400, "invalid_grant", 54005,
        "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.");

    public static AadError PkceMismatch { get; } = new(400, "invalid_grant", 501481,
        "The Code_Verifier does not match the code_challenge supplied in the authorization request.");

    public static AadError RedirectMismatch { get; } = new(400, "invalid_grant", 50011,
        "The redirect URI specified in the request does not match the redirect URI used to obtain the authorization code.");

    public static AadError ConsentRequired(string scopes) => new(400, "invalid_grant", 65001,
        $"The user or administrator has not consented to use the application for the scopes '{scopes}'. Send an interactive authorization request for this user and resource.",
        "consent_required");

    public static AadError UserNotFound(string user) => new(400, "invalid_grant", 50034,
        $"The user account {user} does not exist in the sandbox directory. To sign into this application, the account must be added to the directory.");

    // Request shape.
    public static AadError MissingParameter(string name) => new(400, "invalid_request", 900144,
        $"The request body must contain the following parameter: '{name}'.");

    public static AadError UnsupportedGrantType(string grantType) => new(400, "unsupported_grant_type", 70003,
        $"The app requested an unsupported grant type '{grantType}'.");

    public static AadError InvalidScope(string scope) => new(400, "invalid_scope", 70011,
        $"The provided value for the input parameter 'scope' is not valid. The scope '{scope}' is not valid: the sandbox issues tokens for Microsoft Graph only.");

    public static AadError NotFound { get; } = new(404, "invalid_request", 90056,
        "The sandbox's identity platform has no such endpoint.");

    public static AadError MethodNotAllowed { get; } = new(405, "invalid_request", 90056,
        "This endpoint takes POST with an application/x-www-form-urlencoded body.");

    public static AadError NotForm { get; } = new(400, "invalid_request", 90014,
        "The request body must be application/x-www-form-urlencoded.");

    public JsonObject ToJson(DateTime now, string traceId, string correlationId)
    {
        var timestamp = now.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var body = new JsonObject
        {
            ["error"] = Error,
            ["error_description"] = $"AADSTS{Code}: {Message}\r\nTrace ID: {traceId}\r\nCorrelation ID: {correlationId}\r\nTimestamp: {timestamp}",
            ["error_codes"] = new JsonArray(Code),
            ["timestamp"] = timestamp,
            ["trace_id"] = traceId,
            ["correlation_id"] = correlationId,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={Code}",
        };
        if (Suberror is not null)
        {
            body["suberror"] = Suberror;
        }

        return body;
    }

    private static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffffffZ", CultureInfo.InvariantCulture);
}
