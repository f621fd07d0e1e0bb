using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Auth;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Identity;

/// <summary>
/// The Microsoft identity platform as far as a public client (MSAL) needs it, under any tenant segment:
/// OpenID discovery, <c>oauth2/v2.0/devicecode</c>, <c>oauth2/v2.0/authorize</c> (authorization code + PKCE, no page
/// when the user is named) and <c>oauth2/v2.0/token</c> (device code, authorization code and refresh token grants).
/// Access tokens are the sandbox's own Graph tokens; refresh tokens rotate on every use.
/// </summary>
internal sealed class IdentityEndpoints(PositionStore store, TokenService tokens, IdentityStore identity, IdentitySettings settings, PendingSignIns pending)
{
    public const string DeviceLoginPath = "/devicelogin";
    private const string DeviceCodeGrant = "urn:ietf:params:oauth:grant-type:device_code";
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan IdTokenLifetime = TimeSpan.FromHours(1);

    /// <summary>Whether a path belongs to the identity routes: <c>/{tenant}/oauth2/…</c>, <c>/{tenant}/v2.0/…</c>, <c>/{tenant}/discovery/…</c> or <c>/devicelogin</c>.</summary>
    public static bool Handles(string path)
    {
        if (path.Equals(DeviceLoginPath, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments.Length >= 3
            && !segments[0].StartsWith('_')
            && segments[1].ToLowerInvariant() is "oauth2" or "v2.0" or "discovery";
    }

    public IdentityResponse Handle(IdentityRequest request)
    {
        if (request.Path.Equals(DeviceLoginPath, StringComparison.OrdinalIgnoreCase))
        {
            return DeviceLoginPage(request);
        }

        var segments = request.Path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var tenant = segments[0];
        var endpoint = string.Join('/', segments.Skip(1)).ToLowerInvariant();
        var isGet = request.Method is "GET" or "HEAD";
        return endpoint switch
        {
            "v2.0/.well-known/openid-configuration" => isGet ? Discovery(request, tenant) : Error(request, AadError.MethodNotAllowed),
            "discovery/v2.0/keys" => isGet ? IdentityResponse.Json(200, new JsonObject { ["keys"] = new JsonArray() }) : Error(request, AadError.MethodNotAllowed),
            "oauth2/v2.0/authorize" => isGet ? Authorize(request) : Error(request, AadError.MethodNotAllowed),
            "oauth2/v2.0/devicecode" => request.Method == "POST" ? DeviceCode(request, tenant) : Error(request, AadError.MethodNotAllowed),
            "oauth2/v2.0/token" => request.Method == "POST" ? Token(request) : Error(request, AadError.MethodNotAllowed),
            _ => Error(request, AadError.NotFound),
        };
    }

    private static IdentityResponse Discovery(IdentityRequest request, string tenant)
    {
        var root = $"{request.BaseAddress}/{Uri.EscapeDataString(tenant)}";
        var document = new JsonObject
        {
            ["token_endpoint"] = $"{root}/oauth2/v2.0/token",
            ["token_endpoint_auth_methods_supported"] = Strings("client_secret_post", "private_key_jwt", "client_secret_basic"),
            ["jwks_uri"] = $"{root}/discovery/v2.0/keys",
            ["response_modes_supported"] = Strings("query", "form_post"),
            ["subject_types_supported"] = Strings("pairwise"),
            ["id_token_signing_alg_values_supported"] = Strings("HS256"),
            ["response_types_supported"] = Strings("code"),
            ["scopes_supported"] = Strings("openid", "profile", "email", "offline_access"),
            ["issuer"] = $"{request.BaseAddress}/{DemoTenant.TenantId}/v2.0",
            ["request_uri_parameter_supported"] = false,
            ["authorization_endpoint"] = $"{root}/oauth2/v2.0/authorize",
            ["device_authorization_endpoint"] = $"{root}/oauth2/v2.0/devicecode",
            ["http_logout_supported"] = false,
            ["frontchannel_logout_supported"] = false,
            ["grant_types_supported"] = Strings("authorization_code", "refresh_token", DeviceCodeGrant),
            ["code_challenge_methods_supported"] = Strings("S256"),
            ["claims_supported"] = Strings("sub", "iss", "aud", "exp", "iat", "nbf", "name", "nonce", "oid", "preferred_username", "tid", "ver"),
            ["tenant_region_scope"] = null,
            ["cloud_instance_name"] = new Uri(request.BaseAddress).Authority,
            ["msgraph_host"] = new Uri(request.BaseAddress).Authority,
        };
        return IdentityResponse.Json(200, document);
    }

    private IdentityResponse DeviceCode(IdentityRequest request, string tenant)
    {
        if (!request.IsForm)
        {
            return Error(request, AadError.NotForm);
        }

        if (request.Parameter("client_id") is not { } clientId)
        {
            return Error(request, AadError.MissingParameter("client_id"));
        }

        var scopes = RequestedScopes.Parse(request.Parameter("scope"));
        if (scopes.Invalid is { } invalid)
        {
            return Error(request, AadError.InvalidScope(invalid));
        }

        var current = settings.Current;
        var (deviceCode, authorization) = pending.StartDeviceCode(clientId, tenant, scopes, NowMs(), current.DeviceCodeLifetime * 1000L);
        var verificationUri = request.BaseAddress + DeviceLoginPath;
        return NoStore(IdentityResponse.Json(200, new JsonObject
        {
            ["user_code"] = authorization.UserCode,
            ["device_code"] = deviceCode,
            ["verification_uri"] = verificationUri,
            ["expires_in"] = current.DeviceCodeLifetime,
            ["interval"] = current.DeviceCodeInterval,
            ["message"] = $"To sign in, use a web browser to open the page {verificationUri} and enter the code {authorization.UserCode} to authenticate.",
        }));
    }

    private IdentityResponse Token(IdentityRequest request)
    {
        if (!request.IsForm)
        {
            return Error(request, AadError.NotForm);
        }

        if (request.Parameter("grant_type") is not { } grantType)
        {
            return Error(request, AadError.MissingParameter("grant_type"));
        }

        if (request.Parameter("client_id") is not { } clientId)
        {
            return Error(request, AadError.MissingParameter("client_id"));
        }

        var scopes = RequestedScopes.Parse(request.Parameter("scope"));
        if (scopes.Invalid is { } invalid)
        {
            return Error(request, AadError.InvalidScope(invalid));
        }

        return grantType switch
        {
            // MSAL.NET sends the short "device_code"; RFC 8628 clients send the URN. Entra ID takes both.
            DeviceCodeGrant or "device_code" => RedeemDeviceCode(request, clientId, scopes),
            "authorization_code" => RedeemCode(request, clientId, scopes),
            "refresh_token" => Refresh(request, clientId, scopes),
            _ => Error(request, AadError.UnsupportedGrantType(grantType)),
        };
    }

    private IdentityResponse RedeemDeviceCode(IdentityRequest request, string clientId, RequestedScopes scopes)
    {
        if (request.Parameter("device_code") is not { } deviceCode)
        {
            return Error(request, AadError.MissingParameter("device_code"));
        }

        var authorization = pending.FindDeviceCode(deviceCode);
        if (authorization is null || !string.Equals(authorization.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
        {
            return Error(request, AadError.DeviceCodeUnknown);
        }

        var expired = NowMs() >= authorization.ExpiresAt;
        switch (authorization.Status)
        {
            case DeviceCodeStatus.Denied:
                return Error(request, AadError.AuthorizationDeclined);
            case DeviceCodeStatus.Redeemed:
                return Error(request, AadError.DeviceCodeRedeemed);
            case DeviceCodeStatus.Pending:
                return Error(request, expired ? AadError.DeviceCodeExpired : AadError.AuthorizationPending);
        }

        if (expired)
        {
            return Error(request, AadError.DeviceCodeExpired);
        }

        if (!pending.Transition(authorization, DeviceCodeStatus.Approved, DeviceCodeStatus.Redeemed))
        {
            return Error(request, AadError.DeviceCodeRedeemed);
        }

        // The poll's scope parameter repeats the device code request's; the approval decided what is granted.
        var asked = scopes.Sent.Count > 0 ? scopes : authorization.Scopes;
        return Issue(request, authorization.User!, authorization.Granted!, asked, clientId, authorization.ApprovedAt, nonce: null, alwaysRefreshToken: false);
    }

    private IdentityResponse RedeemCode(IdentityRequest request, string clientId, RequestedScopes scopes)
    {
        if (request.Parameter("code") is not { } value)
        {
            return Error(request, AadError.MissingParameter("code"));
        }

        if (request.Parameter("redirect_uri") is not { } redirectUri)
        {
            return Error(request, AadError.MissingParameter("redirect_uri"));
        }

        var code = pending.FindCode(value);
        if (code is null)
        {
            return Error(request, AadError.GrantMalformed);
        }

        if (code.Redeemed)
        {
            return Error(request, AadError.CodeRedeemed);
        }

        if (!string.Equals(code.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
        {
            return Error(request, AadError.GrantOfOtherClient);
        }

        if (NowMs() >= code.ExpiresAt)
        {
            return Error(request, AadError.GrantExpired);
        }

        if (!string.Equals(code.RedirectUri, redirectUri, StringComparison.Ordinal))
        {
            return Error(request, AadError.RedirectMismatch);
        }

        if (code.Challenge is not null
            && (request.Parameter("code_verifier") is not { } verifier || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(S256(verifier)), Encoding.ASCII.GetBytes(code.Challenge))))
        {
            return Error(request, AadError.PkceMismatch);
        }

        if (!pending.RedeemCode(code))
        {
            return Error(request, AadError.CodeRedeemed);
        }

        return Issue(request, code.User, code.Granted, scopes, clientId, code.AuthTime, code.Nonce, alwaysRefreshToken: false);
    }

    private IdentityResponse Refresh(IdentityRequest request, string clientId, RequestedScopes scopes)
    {
        if (request.Parameter("refresh_token") is not { } refreshToken)
        {
            return Error(request, AadError.MissingParameter("refresh_token"));
        }

        var (outcome, grant) = identity.Redeem(refreshToken, clientId, NowMs(), settings.Current.RefreshGrace * 1000L);
        switch (outcome)
        {
            case RedeemOutcome.Unknown:
                return Error(request, AadError.GrantMalformed);
            case RedeemOutcome.OtherClient:
                return Error(request, AadError.GrantOfOtherClient);
            case RedeemOutcome.Revoked:
                return Error(request, AadError.GrantRevoked(grant!.AuthTime, identity.TokensValidFrom(grant.UserId)));
            case RedeemOutcome.Expired or RedeemOutcome.RotatedOut:
                return Error(request, AadError.GrantExpired);
        }

        var user = store.State.FindUser(grant!.UserId);
        if (user is null)
        {
            return Error(request, AadError.UserNotFound(grant.UserId));
        }

        var missing = scopes.NotIn(grant.Scopes);
        if (missing.Count > 0)
        {
            return Error(request, AadError.ConsentRequired(string.Join(' ', missing)));
        }

        return Issue(request, user, grant.Scopes, scopes, clientId, grant.AuthTime, nonce: null, alwaysRefreshToken: true);
    }

    private IdentityResponse Issue(IdentityRequest request, TenantUser user, IReadOnlyList<string> granted, RequestedScopes asked, string clientId, long authTime, string? nonce, bool alwaysRefreshToken)
    {
        var current = settings.Current;
        var now = DateTimeOffset.UtcNow;

        // Graph's delegated tokens list the OpenID scopes too (e.g. "openid profile User.Read email").
        var scp = granted.Concat(asked.OpenId.Where(scope => scope != "offline_access")).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var (accessToken, _) = tokens.Mint(user, scp, appOnly: false, current.TokenLifetime, audience: null, clientId);
        var body = new JsonObject
        {
            ["token_type"] = "Bearer",
            ["scope"] = asked.ResponseScope(granted),
            ["expires_in"] = current.TokenLifetime,
            ["ext_expires_in"] = current.TokenLifetime,
            ["access_token"] = accessToken,
        };

        if (alwaysRefreshToken || asked.WantsRefreshToken)
        {
            body["refresh_token"] = identity.Issue(user.Id, clientId, granted, authTime, now.ToUnixTimeMilliseconds() + (current.RefreshTokenLifetime * 1000L));
        }

        if (asked.WantsIdToken)
        {
            body["id_token"] = IdToken(request, user, clientId, nonce, now);
        }

        if (request.Parameter("client_info") == "1")
        {
            body["client_info"] = ClientInfo(user);
        }

        var response = NoStore(IdentityResponse.Json(200, body));
        response.User = user.UserPrincipalName;
        return response;
    }

    private string IdToken(IdentityRequest request, TenantUser user, string clientId, string? nonce, DateTimeOffset now)
    {
        var issued = now.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["aud"] = clientId,
            ["iss"] = $"{request.BaseAddress}/{DemoTenant.TenantId}/v2.0",
            ["iat"] = issued,
            ["nbf"] = issued,
            ["exp"] = issued + (long)IdTokenLifetime.TotalSeconds,
            ["name"] = user.DisplayName,
            ["oid"] = user.Id,
            ["preferred_username"] = user.UserPrincipalName,
            ["sub"] = PairwiseSubject(user.Id, clientId),
            ["tid"] = DemoTenant.TenantId,
            ["uti"] = TokenService.Base64UrlEncode(RandomNumberGenerator.GetBytes(16)),
            ["ver"] = "2.0",
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        return tokens.Sign(claims);
    }

    /// <summary>MSAL's account key: base64url of <c>{"uid":oid,"utid":tid}</c>.</summary>
    public static string ClientInfo(TenantUser user) =>
        TokenService.Base64UrlEncode(SandboxJson.Serialize(new JsonObject { ["uid"] = user.Id, ["utid"] = DemoTenant.TenantId }));

    // Entra's sub differs per application for the same user.
    private static string PairwiseSubject(string objectId, string clientId) =>
        TokenService.Base64UrlEncode(SHA256.HashData(Encoding.UTF8.GetBytes($"{objectId}|{clientId.ToLowerInvariant()}")));

    private static string S256(string verifier) => TokenService.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private IdentityResponse Authorize(IdentityRequest request)
    {
        if (request.QueryValue("client_id") is not { } clientId)
        {
            return Page(400, "Sign-in request is missing client_id", $"AADSTS900144: The request body must contain the following parameter: 'client_id'.");
        }

        if (request.QueryValue("redirect_uri") is not { } redirectUri)
        {
            return Page(400, "Sign-in request is missing redirect_uri", "AADSTS900144: The request body must contain the following parameter: 'redirect_uri'.");
        }

        if (!IsLoopback(redirectUri))
        {
            return Page(400, "Redirect URI not allowed",
                $"AADSTS50011: The redirect URI '{redirectUri}' specified in the request is not allowed: the sandbox redirects only to loopback addresses (http://localhost, http://127.0.0.1, http://[::1]).");
        }

        var state = request.QueryValue("state");
        // form_post (what MSAL asks for with the system browser): the answer is a page whose form the browser posts to
        // redirect_uri, so the code never sits in a URL; query: a 302 with the answer in the query string.
        var formPost = request.QueryValue("response_mode") == "form_post";
        IdentityResponse Fail(string error, AadError details) => RedirectError(redirectUri, state, error, details, request, formPost);

        if (request.QueryValue("response_type") != "code")
        {
            return Fail("unsupported_response_type", new AadError(400, "unsupported_response_type", 70005,
                "The sandbox supports response_type=code only (authorization code flow with PKCE)."));
        }

        if (request.QueryValue("response_mode") is { } mode && mode != "query" && mode != "form_post")
        {
            return Fail("invalid_request", new AadError(400, "invalid_request", 70007, $"The sandbox supports response_mode=query and form_post only, not '{mode}'."));
        }

        var scopes = RequestedScopes.Parse(request.QueryValue("scope"));
        if (scopes.Invalid is { } invalid)
        {
            return Fail("invalid_scope", AadError.InvalidScope(invalid));
        }

        var challenge = request.QueryValue("code_challenge");
        if (challenge is not null && request.QueryValue("code_challenge_method") != "S256")
        {
            return Fail("invalid_request", new AadError(400, "invalid_request", 501491,
                "The sandbox supports code_challenge_method=S256 only."));
        }

        var userKey = request.QueryValue("sandbox_user") ?? request.QueryValue("login_hint");
        if (userKey is null)
        {
            return request.QueryValue("prompt") == "none"
                ? Fail("login_required", new AadError(400, "login_required", 50058, "A silent sign-in request was sent but no user is signed in (give login_hint or sandbox_user)."))
                : ChooseUserPage(request);
        }

        var user = store.State.FindUser(userKey);
        if (user is null)
        {
            return Fail("invalid_request", new AadError(400, "invalid_request", 50034,
                $"The user account {userKey} does not exist in the sandbox directory."));
        }

        var now = NowMs();
        var code = pending.AddCode(new AuthorizationCode(clientId, redirectUri, challenge, user, scopes.ToGrant(), request.QueryValue("nonce"), now, now + (long)CodeLifetime.TotalMilliseconds));
        var answer = Answer(redirectUri, formPost, ("code", code), ("state", state), ("session_state", Guid.NewGuid().ToString()));
        answer.User = user.UserPrincipalName;
        return answer;
    }

    private IdentityResponse ChooseUserPage(IdentityRequest request)
    {
        var links = new StringBuilder();
        foreach (var user in store.State.Users)
        {
            var href = $"{request.Path}?{request.RawQuery}&sandbox_user={Uri.EscapeDataString(user.UserPrincipalName)}";
            links.Append($"<li><a href=\"{WebUtility.HtmlEncode(href)}\">{WebUtility.HtmlEncode(user.DisplayName)} ({WebUtility.HtmlEncode(user.UserPrincipalName)})</a></li>");
        }

        return Page(200, "Sign in to the ProfilePositions sandbox",
            "The sandbox signs in the user named by the <code>login_hint</code> or <code>sandbox_user</code> query parameter "
            + "without asking anything, and redirects straight back to the application. This request names no user: pick one "
            + "(or add <code>&amp;sandbox_user=&lt;upn or id&gt;</code> to the address).",
            $"<ul>{links}</ul>");
    }

    private IdentityResponse DeviceLoginPage(IdentityRequest request)
    {
        var codes = new StringBuilder();
        foreach (var item in pending.PendingDeviceCodes(NowMs()))
        {
            codes.Append($"<li><code>{WebUtility.HtmlEncode(item.UserCode)}</code> for client {WebUtility.HtmlEncode(item.ClientId)}: {WebUtility.HtmlEncode(string.Join(' ', item.Scopes.Sent))}</li>");
        }

        return Page(200, "Device code sign-in (sandbox)",
            "The sandbox has no sign-in page. Approve a pending code with "
            + "<code>POST /_sandbox/identity/approve</code> and the body <code>{\"userCode\":\"…\",\"user\":\"&lt;upn or id&gt;\",\"scopes\":\"User.ReadWrite\"}</code>, "
            + "or refuse it with <code>POST /_sandbox/identity/deny</code> and <code>{\"userCode\":\"…\"}</code>. "
            + "<code>GET /_sandbox/identity/pending</code> lists the pending codes.",
            codes.Length == 0 ? "<p>No device code is pending.</p>" : $"<ul>{codes}</ul>");
    }

    private static IdentityResponse Page(int status, string title, string paragraph, string extra = "") =>
        IdentityResponse.Html(status,
            $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>{WebUtility.HtmlEncode(title)}</title></head>"
            + $"<body><h1>{WebUtility.HtmlEncode(title)}</h1><p>{paragraph}</p>{extra}</body></html>");

    private static IdentityResponse RedirectError(string redirectUri, string? state, string error, AadError details, IdentityRequest request, bool formPost)
    {
        var body = details.ToJson(DateTime.UtcNow, request.RequestId, request.CorrelationId);
        return Answer(redirectUri, formPost,
            ("error", error),
            ("error_description", body["error_description"]!.GetValue<string>()),
            ("error_uri", body["error_uri"]!.GetValue<string>()),
            ("state", state));
    }

    /// <summary>The authorize route's answer to the client: a 302 (response_mode=query) or a self-posting form (form_post).</summary>
    private static IdentityResponse Answer(string redirectUri, bool formPost, params (string Name, string? Value)[] parameters) =>
        formPost ? FormPost(redirectUri, parameters) : IdentityResponse.Redirect(Append(redirectUri, parameters));

    /// <summary>
    /// Entra ID's form_post page: a form that posts the answer to redirect_uri, submitted by a script (a browser without
    /// scripts shows a Submit button). One hidden input a line, so a test's stand-in browser can read it without a parser.
    /// </summary>
    private static IdentityResponse FormPost(string redirectUri, (string Name, string? Value)[] parameters)
    {
        var page = new StringBuilder();
        page.Append("<html><head><title>Working...</title></head><body>\n");
        page.Append($"<form method=\"POST\" name=\"hiddenform\" action=\"{WebUtility.HtmlEncode(redirectUri)}\">\n");
        foreach (var (name, value) in parameters)
        {
            if (value is not null)
            {
                page.Append($"<input type=\"hidden\" name=\"{WebUtility.HtmlEncode(name)}\" value=\"{WebUtility.HtmlEncode(value)}\" />\n");
            }
        }

        page.Append("<noscript><p>Script is disabled. Click Submit to continue.</p><input type=\"submit\" value=\"Submit\" /></noscript>\n");
        page.Append("</form>\n<script language=\"javascript\">document.forms[0].submit();</script></body></html>\n");
        var response = IdentityResponse.Html(200, page.ToString());
        response.Headers.Add(new("Cache-Control", "no-store, no-cache"));
        return response;
    }

    private static string Append(string uri, params (string Name, string? Value)[] parameters)
    {
        var builder = new StringBuilder(uri);
        var separator = uri.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in parameters)
        {
            if (value is null)
            {
                continue;
            }

            builder.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return builder.ToString();
    }

    /// <summary>http(s) to localhost, 127.0.0.0/8 or [::1], any port and path: where native clients listen.</summary>
    public static bool IsLoopback(string redirectUri) =>
        Uri.TryCreate(redirectUri, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && string.IsNullOrEmpty(uri.Fragment)
        && (uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));

    private static IdentityResponse Error(IdentityRequest request, AadError error) =>
        NoStore(IdentityResponse.Json(error.Status, error.ToJson(DateTime.UtcNow, request.RequestId, request.CorrelationId)));

    private static IdentityResponse NoStore(IdentityResponse response)
    {
        response.Headers.Add(new("Cache-Control", "no-store, no-cache"));
        response.Headers.Add(new("Pragma", "no-cache"));
        return response;
    }

    private static JsonArray Strings(params string[] values) => new(values.Select(value => (JsonNode?)JsonValue.Create(value)).ToArray());

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
