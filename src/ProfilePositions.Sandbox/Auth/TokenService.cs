using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Auth;

/// <summary>
/// Mints and checks HS256 JWTs. The secret lives as long as the process, or as long as the <c>--data</c> file's
/// identity file when one is given (so tokens survive a restart). The checks follow Graph: empty, malformed, badly
/// signed, expired and wrong-audience tokens are 401 <c>InvalidAuthenticationToken</c>.
/// </summary>
internal sealed class TokenService(byte[] secret)
{
    public const string GraphAudience = "https://graph.microsoft.com";
    public const string EmptyTokenMessage = "Access token is empty.";
    public const string InvalidTokenMessage = "Invalid access token.";
    public const string ExpiredTokenMessage = "Access token has expired or is not yet valid.";
    public const string InvalidAudienceMessage = "Invalid audience.";

    /// <summary>Object id of the sandbox's own application; app-only tokens carry it as <c>oid</c>.</summary>
    public const string ApplicationObjectId = "0b6a5f4e-3d2c-4b1a-9f8e-7d6c5b4a3f29";
    public const string ApplicationClientId = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

    private const int CacheLimit = 4096;
    private static readonly byte[] HeaderSegment = Encoding.ASCII.GetBytes(Base64UrlEncode("""{"alg":"HS256","typ":"JWT"}"""u8));

    private readonly byte[] _secret = secret.Length >= 32 ? secret : throw new ArgumentException("The signing secret needs at least 32 bytes.", nameof(secret));
    private readonly ConcurrentDictionary<string, CallerPrincipal> _verified = new(StringComparer.Ordinal);

    public TokenService()
        : this(RandomNumberGenerator.GetBytes(32))
    {
    }

    /// <param name="clientId">The application the token was issued to (<c>appid</c>); the sandbox's own app when null.</param>
    public (string Token, long ExpiresOn) Mint(TenantUser? user, IReadOnlyList<string> scopes, bool appOnly, int lifetimeSeconds, string? audience, string? clientId = null)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var expires = now + lifetimeSeconds;
        var claims = new JsonObject
        {
            ["aud"] = audience ?? GraphAudience,
            ["iss"] = $"https://sts.windows.net/{DemoTenant.TenantId}/",
            ["iat"] = now,
            ["nbf"] = now,
            ["exp"] = expires,
            ["appid"] = clientId ?? ApplicationClientId,
            ["tid"] = DemoTenant.TenantId,
            ["ver"] = "1.0",
        };
        if (clientId is not null)
        {
            // Sign-in flows: Entra's unique token id, so two tokens issued in the same second differ.
            claims["uti"] = Base64UrlEncode(RandomNumberGenerator.GetBytes(16));
        }
        if (appOnly)
        {
            claims["oid"] = ApplicationObjectId;
            claims["idtyp"] = "app";
            claims["roles"] = new JsonArray(scopes.Select(scope => (JsonNode?)JsonValue.Create(scope)).ToArray());
        }
        else
        {
            claims["oid"] = user!.Id;
            claims["upn"] = user.UserPrincipalName;
            claims["unique_name"] = user.UserPrincipalName;
            claims["name"] = user.DisplayName;
            claims["scp"] = string.Join(' ', scopes);
        }

        return (Sign(claims), expires);
    }

    /// <summary>An HS256 JWT with these claims, signed with the sandbox's secret (access tokens and id tokens alike).</summary>
    public string Sign(JsonObject claims)
    {
        var payload = Base64UrlEncode(SandboxJson.Serialize(claims));
        var signingInput = $"{Encoding.ASCII.GetString(HeaderSegment)}.{payload}";
        var signature = Base64UrlEncode(HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes(signingInput)));
        return $"{signingInput}.{signature}";
    }

    public TokenCheck Check(string? authorizationHeader)
    {
        if (string.IsNullOrWhiteSpace(authorizationHeader))
        {
            return TokenCheck.Fail(EmptyTokenMessage);
        }

        var header = authorizationHeader.Trim();
        if (!header.StartsWith("Bearer", StringComparison.OrdinalIgnoreCase))
        {
            return TokenCheck.Fail(InvalidTokenMessage);
        }

        var token = header[6..].Trim();
        if (token.Length == 0)
        {
            return TokenCheck.Fail(EmptyTokenMessage);
        }

        if (!_verified.TryGetValue(token, out var principal))
        {
            principal = Verify(token);
            if (principal is null)
            {
                return TokenCheck.Fail(InvalidTokenMessage);
            }

            if (_verified.Count >= CacheLimit)
            {
                _verified.Clear();
            }

            _verified[token] = principal;
        }

        if (!string.Equals(principal.Audience, GraphAudience, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(principal.Audience, "00000003-0000-0000-c000-000000000000", StringComparison.OrdinalIgnoreCase))
        {
            return TokenCheck.Fail(InvalidAudienceMessage);
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        if (now >= principal.ExpiresAt || now < principal.NotBefore)
        {
            return TokenCheck.Fail(ExpiredTokenMessage);
        }

        return new TokenCheck(principal, null);
    }

    /// <summary>Reads the caller from a token without the time and audience checks (for fault matching and the journal).</summary>
    public CallerPrincipal? Peek(string? authorizationHeader)
    {
        if (authorizationHeader is null || !authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = authorizationHeader[7..].Trim();
        return _verified.TryGetValue(token, out var principal) ? principal : Verify(token);
    }

    private CallerPrincipal? Verify(string token)
    {
        var parts = token.Split('.');
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0 || parts[2].Length == 0)
        {
            return null;
        }

        try
        {
            var expected = HMACSHA256.HashData(_secret, Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"));
            var actual = Base64UrlDecode(parts[2]);
            if (actual is null || !CryptographicOperations.FixedTimeEquals(expected, actual))
            {
                return null;
            }

            var header = JsonNode.Parse(Base64UrlDecode(parts[0]) ?? [])?.AsObject();
            if (header?["alg"]?.GetValue<string>() != "HS256")
            {
                return null;
            }

            var claims = JsonNode.Parse(Base64UrlDecode(parts[1]) ?? [])?.AsObject();
            if (claims is null)
            {
                return null;
            }

            var scopes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            var hasScp = claims["scp"] is JsonValue scp && scp.TryGetValue<string>(out var scpText);
            if (hasScp)
            {
                foreach (var scope in claims["scp"]!.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    scopes.Add(scope);
                }
            }

            var roles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (claims["roles"] is JsonArray roleArray)
            {
                foreach (var role in roleArray)
                {
                    if (role is JsonValue value && value.TryGetValue<string>(out var roleName))
                    {
                        roles.Add(roleName);
                    }
                }
            }

            return new CallerPrincipal(
                claims["oid"]?.GetValue<string>() ?? string.Empty,
                claims["upn"]?.GetValue<string>(),
                claims["name"]?.GetValue<string>(),
                scopes,
                roles,
                isAppOnly: !hasScp,
                expiresAt: claims["exp"]?.GetValue<long>() ?? 0,
                notBefore: claims["nbf"]?.GetValue<long>() ?? 0,
                audience: claims["aud"]?.GetValue<string>() ?? string.Empty);
        }
        catch (Exception error) when (error is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    public static string Base64UrlEncode(ReadOnlySpan<byte> bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static byte[]? Base64UrlDecode(string text)
    {
        var padded = text.Replace('-', '+').Replace('_', '/');
        padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", 0 => string.Empty, _ => "!" };
        try
        {
            return Convert.FromBase64String(padded);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
