using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Auth;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Identity;

/// <summary>One refresh token as the sandbox remembers it; the token itself is never kept, only its SHA-256.</summary>
internal sealed class RefreshGrant(string hash, string userId, string clientId, IReadOnlyList<string> scopes, long authTime, long expiresAt)
{
    public string Hash { get; } = hash;

    public string UserId { get; } = userId;

    public string ClientId { get; } = clientId;

    /// <summary>Granted scopes, short form (<c>User.ReadWrite</c>).</summary>
    public IReadOnlyList<string> Scopes { get; } = scopes;

    /// <summary>When the user signed in (Unix ms); kept through rotation, compared with the user's revocation time.</summary>
    public long AuthTime { get; } = authTime;

    public long ExpiresAt { get; } = expiresAt;

    /// <summary>When this token was first used and replaced (Unix ms); null while it is the newest of its chain.</summary>
    public long? RotatedAt { get; set; }
}

internal enum RedeemOutcome
{
    Accepted,
    Unknown,
    OtherClient,
    Revoked,
    Expired,
    RotatedOut,
}

/// <summary>
/// What the identity platform keeps between requests: the signing secret, the TLS certificate, the refresh tokens
/// and each user's revocation time. With <c>--data</c> it lives in <c>&lt;data&gt;.identity.json</c> (owner-only file
/// mode, rewritten by temp file and rename on every change), so a restarted sandbox accepts what it issued before.
/// </summary>
internal sealed class IdentityStore
{
    private const int Version = 1;
    private static readonly TimeSpan KeepExpired = TimeSpan.FromDays(1);

    private readonly object _lock = new();
    private readonly string? _path;
    private readonly Dictionary<string, RefreshGrant> _grants = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _tokensValidFrom = new(StringComparer.OrdinalIgnoreCase);
    private (string Certificate, string PrivateKey)? _tls;

    public IdentityStore(string? path)
    {
        _path = path is null ? null : Path.GetFullPath(path);
        if (_path is not null && File.Exists(_path))
        {
            SigningKey = Load(_path);
        }
        else
        {
            SigningKey = RandomNumberGenerator.GetBytes(32);
            Persist();
        }
    }

    /// <summary>The identity file next to <paramref name="dataFile"/>: <c>tenant.json</c> → <c>tenant.identity.json</c>.</summary>
    public static string PathFor(string dataFile) => DataFiles.SiblingPath(dataFile, ".identity.json");

    public string? FilePath => _path;

    public byte[] SigningKey { get; }

    /// <summary>The saved TLS certificate if it is still good for a day, else a new one (saved at once).</summary>
    public X509Certificate2 Certificate()
    {
        lock (_lock)
        {
            if (_tls is { } saved && SandboxCertificate.FromPem(saved.Certificate, saved.PrivateKey) is { } loaded)
            {
                return loaded;
            }

            var created = SandboxCertificate.Create();
            _tls = SandboxCertificate.ToPem(created);
            Persist();
            return created;
        }
    }

    /// <summary>Issues a refresh token; the caller gets the token, the store keeps only its hash.</summary>
    public string Issue(string userId, string clientId, IReadOnlyList<string> scopes, long authTime, long expiresAt)
    {
        var token = "1.SBX." + TokenService.Base64UrlEncode(RandomNumberGenerator.GetBytes(48));
        lock (_lock)
        {
            Prune(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var grant = new RefreshGrant(Hash(token), userId, clientId, scopes, authTime, expiresAt);
            _grants[grant.Hash] = grant;
            Persist();
        }

        return token;
    }

    /// <summary>
    /// Checks a refresh token and, when it is accepted, marks it rotated (the first use starts its grace period).
    /// A rotated token is accepted again until <paramref name="graceMs"/> after its first use.
    /// </summary>
    public (RedeemOutcome Outcome, RefreshGrant? Grant) Redeem(string token, string clientId, long now, long graceMs)
    {
        lock (_lock)
        {
            if (!_grants.TryGetValue(Hash(token), out var grant))
            {
                return (RedeemOutcome.Unknown, null);
            }

            if (!string.Equals(grant.ClientId, clientId, StringComparison.OrdinalIgnoreCase))
            {
                return (RedeemOutcome.OtherClient, grant);
            }

            if (_tokensValidFrom.TryGetValue(grant.UserId, out var validFrom) && grant.AuthTime < validFrom)
            {
                return (RedeemOutcome.Revoked, grant);
            }

            if (now >= grant.ExpiresAt)
            {
                return (RedeemOutcome.Expired, grant);
            }

            if (grant.RotatedAt is { } rotated && now > rotated + graceMs)
            {
                return (RedeemOutcome.RotatedOut, grant);
            }

            if (grant.RotatedAt is null)
            {
                grant.RotatedAt = now;
                Persist();
            }

            return (RedeemOutcome.Accepted, grant);
        }
    }

    /// <summary>Refresh tokens from sign-ins before now stop working (Entra's TokensValidFrom); returns how many were live.</summary>
    public int Revoke(string userId, long now)
    {
        lock (_lock)
        {
            var live = _grants.Values.Count(grant => string.Equals(grant.UserId, userId, StringComparison.OrdinalIgnoreCase)
                && grant.ExpiresAt > now && grant.RotatedAt is null
                && !(_tokensValidFrom.TryGetValue(userId, out var before) && grant.AuthTime < before));

            // A sign-in in the same millisecond as the revocation must not survive it.
            _tokensValidFrom[userId] = now + 1;
            Persist();
            return live;
        }
    }

    /// <summary>The user's revocation time (Unix ms): grants from sign-ins before it are refused; 0 when never revoked.</summary>
    public long TokensValidFrom(string userId)
    {
        lock (_lock)
        {
            return _tokensValidFrom.GetValueOrDefault(userId);
        }
    }

    public static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    private void Prune(long now)
    {
        var limit = (long)KeepExpired.TotalMilliseconds;
        foreach (var grant in _grants.Values.Where(grant => now > Math.Max(grant.ExpiresAt, grant.RotatedAt ?? 0) + limit).ToList())
        {
            _grants.Remove(grant.Hash);
        }
    }

    private byte[] Load(string path)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject
                ?? throw new InvalidDataException($"The identity file '{path}' does not hold a JSON object.");
            if (root["version"]?.GetValue<int>() != Version)
            {
                throw new InvalidDataException($"The identity file '{path}' has version {root["version"]}; this sandbox reads version {Version}.");
            }

            var key = Convert.FromBase64String(root["signingKey"]?.GetValue<string>() ?? string.Empty);
            if (key.Length < 32)
            {
                throw new InvalidDataException($"The identity file '{path}' has no signing key of 32 bytes or more.");
            }

            if (root["tls"] is JsonObject tls && tls["certificate"]?.GetValue<string>() is { } certificate && tls["privateKey"]?.GetValue<string>() is { } privateKey)
            {
                _tls = (certificate, privateKey);
            }

            foreach (var node in root["refreshTokens"] as JsonArray ?? [])
            {
                var item = node!.AsObject();
                var grant = new RefreshGrant(
                    item["hash"]!.GetValue<string>(),
                    item["user"]!.GetValue<string>(),
                    item["client"]!.GetValue<string>(),
                    (item["scopes"] as JsonArray ?? []).Select(scope => scope!.GetValue<string>()).ToArray(),
                    item["authTime"]!.GetValue<long>(),
                    item["expiresAt"]!.GetValue<long>())
                {
                    RotatedAt = item["rotatedAt"]?.GetValue<long>(),
                };
                _grants[grant.Hash] = grant;
            }

            foreach (var (user, validFrom) in root["tokensValidFrom"] as JsonObject ?? [])
            {
                _tokensValidFrom[user] = validFrom!.GetValue<long>();
            }

            return key;
        }
        catch (Exception error) when (error is JsonException or FormatException or InvalidOperationException or NullReferenceException)
        {
            throw new InvalidDataException($"The identity file '{path}' is not readable: {error.Message}", error);
        }
    }

    // Called under the lock (or from the constructor). Small file: a few hundred bytes per refresh token.
    private void Persist()
    {
        if (_path is null)
        {
            return;
        }

        var grants = new JsonArray();
        foreach (var grant in _grants.Values)
        {
            var item = new JsonObject
            {
                ["hash"] = grant.Hash,
                ["user"] = grant.UserId,
                ["client"] = grant.ClientId,
                ["scopes"] = new JsonArray(grant.Scopes.Select(scope => (JsonNode?)JsonValue.Create(scope)).ToArray()),
                ["authTime"] = grant.AuthTime,
                ["expiresAt"] = grant.ExpiresAt,
            };
            if (grant.RotatedAt is { } rotated)
            {
                item["rotatedAt"] = rotated;
            }

            grants.Add(item);
        }

        var validFrom = new JsonObject();
        foreach (var (user, time) in _tokensValidFrom)
        {
            validFrom[user] = time;
        }

        var root = new JsonObject
        {
            ["version"] = Version,
            ["signingKey"] = Convert.ToBase64String(SigningKey),
            ["tls"] = _tls is { } tls ? new JsonObject { ["certificate"] = tls.Certificate, ["privateKey"] = tls.PrivateKey } : null,
            ["refreshTokens"] = grants,
            ["tokensValidFrom"] = validFrom,
        };

        var directory = Path.GetDirectoryName(_path)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(_path)}.{Environment.ProcessId}.tmp");
        using (var stream = OwnerOnly(temporary))
        {
            stream.Write(SandboxJson.Serialize(root));
        }

        File.Move(temporary, _path, overwrite: true);
    }

    // The file holds the signing secret and the TLS private key: readable by its owner only.
    private static FileStream OwnerOnly(string path)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        return new FileStream(path, options);
    }
}
