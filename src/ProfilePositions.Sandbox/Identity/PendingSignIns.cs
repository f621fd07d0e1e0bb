using System.Collections.Concurrent;
using System.Security.Cryptography;
using ProfilePositions.Sandbox.Auth;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Identity;

internal enum DeviceCodeStatus
{
    Pending,
    Approved,
    Denied,
    Redeemed,
}

/// <summary>A device code sign-in between <c>/devicecode</c> and the token poll that redeems it.</summary>
internal sealed class DeviceAuthorization(string userCode, string clientId, string tenant, RequestedScopes scopes, long createdAt, long expiresAt)
{
    public string UserCode { get; } = userCode;

    public string ClientId { get; } = clientId;

    public string Tenant { get; } = tenant;

    public RequestedScopes Scopes { get; } = scopes;

    public long CreatedAt { get; } = createdAt;

    public long ExpiresAt { get; } = expiresAt;

    public DeviceCodeStatus Status { get; set; }

    public TenantUser? User { get; set; }

    public IReadOnlyList<string>? Granted { get; set; }

    public long ApprovedAt { get; set; }
}

/// <summary>An authorization code between <c>/authorize</c> and its redemption at <c>/token</c>.</summary>
internal sealed record AuthorizationCode(
    string ClientId,
    string RedirectUri,
    string? Challenge,
    TenantUser User,
    IReadOnlyList<string> Granted,
    string? Nonce,
    long AuthTime,
    long ExpiresAt)
{
    public bool Redeemed { get; set; }
}

/// <summary>
/// Device codes and authorization codes in flight. Only hashes of the codes are kept, so nothing here can be read
/// back as a credential; the user code is shown to the admin routes because a test has to type it.
/// </summary>
internal sealed class PendingSignIns
{
    // Entra's user codes are 8-9 upper-case letters and digits; leave out look-alikes (0/O, 1/I).
    private const string UserCodeAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    private static readonly TimeSpan KeepFinished = TimeSpan.FromHours(1);

    private readonly object _lock = new();
    private readonly Dictionary<string, DeviceAuthorization> _byDeviceCode = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DeviceAuthorization> _byUserCode = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, AuthorizationCode> _codes = new(StringComparer.Ordinal);

    public (string DeviceCode, DeviceAuthorization Authorization) StartDeviceCode(string clientId, string tenant, RequestedScopes scopes, long now, long lifetimeMs)
    {
        var deviceCode = "SBXDC." + TokenService.Base64UrlEncode(RandomNumberGenerator.GetBytes(48));
        lock (_lock)
        {
            Prune(now);
            string userCode;
            do
            {
                userCode = RandomNumberGenerator.GetString(UserCodeAlphabet, 9);
            }
            while (_byUserCode.ContainsKey(userCode));

            var authorization = new DeviceAuthorization(userCode, clientId, tenant, scopes, now, now + lifetimeMs);
            _byDeviceCode[IdentityStore.Hash(deviceCode)] = authorization;
            _byUserCode[userCode] = authorization;
            return (deviceCode, authorization);
        }
    }

    public DeviceAuthorization? FindDeviceCode(string deviceCode)
    {
        lock (_lock)
        {
            return _byDeviceCode.GetValueOrDefault(IdentityStore.Hash(deviceCode));
        }
    }

    public DeviceAuthorization? FindUserCode(string userCode)
    {
        lock (_lock)
        {
            return _byUserCode.GetValueOrDefault(userCode.Trim());
        }
    }

    /// <summary>Moves a device code from one status to another; false when it was not in <paramref name="from"/>.</summary>
    public bool Transition(DeviceAuthorization authorization, DeviceCodeStatus from, DeviceCodeStatus to, Action? apply = null)
    {
        lock (_lock)
        {
            if (authorization.Status != from)
            {
                return false;
            }

            apply?.Invoke();
            authorization.Status = to;
            return true;
        }
    }

    public List<DeviceAuthorization> PendingDeviceCodes(long now)
    {
        lock (_lock)
        {
            return _byUserCode.Values
                .Where(item => item.Status == DeviceCodeStatus.Pending && item.ExpiresAt > now)
                .OrderBy(item => item.CreatedAt)
                .ToList();
        }
    }

    public string AddCode(AuthorizationCode code)
    {
        var value = "SBXAC." + TokenService.Base64UrlEncode(RandomNumberGenerator.GetBytes(48));
        _codes[IdentityStore.Hash(value)] = code;
        return value;
    }

    public AuthorizationCode? FindCode(string code) => _codes.GetValueOrDefault(IdentityStore.Hash(code));

    /// <summary>Marks the code used; false when it already was (codes are single use).</summary>
    public bool RedeemCode(AuthorizationCode code)
    {
        lock (_lock)
        {
            if (code.Redeemed)
            {
                return false;
            }

            code.Redeemed = true;
            return true;
        }
    }

    private void Prune(long now)
    {
        var limit = (long)KeepFinished.TotalMilliseconds;
        foreach (var (hash, item) in _byDeviceCode.Where(pair => now > pair.Value.ExpiresAt + limit).ToList())
        {
            _byDeviceCode.Remove(hash);
            _byUserCode.Remove(item.UserCode);
        }

        foreach (var (hash, _) in _codes.Where(pair => now > pair.Value.ExpiresAt + limit).ToList())
        {
            _codes.TryRemove(hash, out _);
        }
    }
}
