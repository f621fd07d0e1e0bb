using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using ProfilePositions.Sandbox.Graph;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Identity;

/// <summary>
/// <c>/_sandbox/identity/*</c>: a test plays the user of a device code sign-in (approve, deny), lists pending codes,
/// revokes a user's refresh tokens and changes token lifetimes.
/// </summary>
internal sealed class IdentityAdmin(PositionStore store, IdentityStore identity, IdentitySettings settings, PendingSignIns pending)
{
    public async Task<GraphResponse?> HandleAsync(HttpRequest request, string path, string method, Func<int, string, string, GraphResponse> error)
    {
        var posted = path is "/identity/approve" or "/identity/deny" or "/identity/settings" && method == "POST";
        var allowed = path switch
        {
            "/identity/pending" => method == "GET",
            "/identity/revoke" => method == "POST",
            "/identity/settings" => method is "GET" or "POST",
            "/identity/approve" or "/identity/deny" => posted,
            _ => (bool?)null,
        };
        if (allowed is null)
        {
            return null;
        }

        if (allowed == false)
        {
            return error(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");
        }

        if (!posted)
        {
            return path switch
            {
                "/identity/pending" => Pending(),
                "/identity/revoke" => Revoke(request, error),
                _ => Node(IdentitySettings.ToJson(settings.Current)),
            };
        }

        var (body, bodyError) = await ReadObjectAsync(request).ConfigureAwait(false);
        if (body is null)
        {
            return error(400, "BadRequest", bodyError!);
        }

        return path switch
        {
            "/identity/approve" => Approve(body, error),
            "/identity/deny" => Deny(body, error),
            _ => UpdateSettings(body, error),
        };
    }

    private GraphResponse UpdateSettings(JsonObject body, Func<int, string, string, GraphResponse> error)
    {
        try
        {
            return Node(IdentitySettings.ToJson(settings.Update(body)));
        }
        catch (FormatException failure)
        {
            return error(400, "BadRequest", failure.Message);
        }
    }

    private GraphResponse Pending()
    {
        var list = new JsonArray();
        foreach (var item in pending.PendingDeviceCodes(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()))
        {
            list.Add(new JsonObject
            {
                ["userCode"] = item.UserCode,
                ["clientId"] = item.ClientId,
                ["tenant"] = item.Tenant,
                ["scopes"] = Strings(item.Scopes.Sent),
                ["expiresAt"] = Iso(item.ExpiresAt),
            });
        }

        return Node(list);
    }

    private GraphResponse Approve(JsonObject body, Func<int, string, string, GraphResponse> error)
    {
        if (Text(body, "user") is not { } userKey)
        {
            return error(400, "BadRequest", "Member 'user' (a userPrincipalName or object id) is required.");
        }

        var user = store.State.FindUser(userKey);
        if (user is null)
        {
            return error(404, "Request_ResourceNotFound", $"Resource '{userKey}' does not exist or one of its queried reference-property objects are not present.");
        }

        List<string>? chosen = null;
        switch (body["scopes"])
        {
            case null:
                break;
            case JsonValue text when text.TryGetValue<string>(out var scopeText):
                chosen = Split(scopeText);
                break;
            case JsonArray array when array.All(item => item is JsonValue value && value.GetValueKind() == JsonValueKind.String):
                chosen = array.SelectMany(item => Split(item!.GetValue<string>())).ToList();
                break;
            default:
                return error(400, "BadRequest", "Member 'scopes' must be a space-separated string or an array of strings.");
        }

        var (authorization, failure) = FindPending(body, error);
        if (authorization is null)
        {
            return failure!;
        }

        var approved = chosen is null ? authorization.Scopes : RequestedScopes.Parse(string.Join(' ', chosen));
        if (approved.Invalid is { } invalid)
        {
            return error(400, "BadRequest", $"The scope '{invalid}' is not a Microsoft Graph scope; the sandbox issues Graph tokens only.");
        }

        var granted = approved.ToGrant();
        if (!pending.Transition(authorization, DeviceCodeStatus.Pending, DeviceCodeStatus.Approved, () =>
            {
                authorization.User = user;
                authorization.Granted = granted;
                authorization.ApprovedAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            }))
        {
            return error(409, "Conflict", $"The device code '{authorization.UserCode}' is no longer pending ({authorization.Status}).");
        }

        return Node(new JsonObject
        {
            ["userCode"] = authorization.UserCode,
            ["status"] = "approved",
            ["user"] = user.UserPrincipalName,
            ["scopes"] = Strings(granted),
        });
    }

    private GraphResponse Deny(JsonObject body, Func<int, string, string, GraphResponse> error)
    {
        var (authorization, failure) = FindPending(body, error);
        if (authorization is null)
        {
            return failure!;
        }

        if (!pending.Transition(authorization, DeviceCodeStatus.Pending, DeviceCodeStatus.Denied))
        {
            return error(409, "Conflict", $"The device code '{authorization.UserCode}' is no longer pending ({authorization.Status}).");
        }

        return Node(new JsonObject { ["userCode"] = authorization.UserCode, ["status"] = "denied" });
    }

    private GraphResponse Revoke(HttpRequest request, Func<int, string, string, GraphResponse> error)
    {
        var userKey = request.Query["user"].ToString();
        if (userKey.Length == 0)
        {
            return error(400, "BadRequest", "Query parameter 'user' (a userPrincipalName or object id) is required.");
        }

        var user = store.State.FindUser(userKey);
        if (user is null)
        {
            return error(404, "Request_ResourceNotFound", $"Resource '{userKey}' does not exist or one of its queried reference-property objects are not present.");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var revoked = identity.Revoke(user.Id, now);
        return Node(new JsonObject
        {
            ["user"] = user.UserPrincipalName,
            ["refreshTokensRevoked"] = revoked,
            ["tokensValidFrom"] = Iso(now),
        });
    }

    private (DeviceAuthorization? Authorization, GraphResponse? Failure) FindPending(JsonObject body, Func<int, string, string, GraphResponse> error)
    {
        if (Text(body, "userCode") is not { } userCode)
        {
            return (null, error(400, "BadRequest", "Member 'userCode' is required: {\"userCode\": \"<code>\", \"user\": \"<upn or id>\", \"scopes\": \"User.ReadWrite\" | [..]}."));
        }

        var authorization = pending.FindUserCode(userCode);
        if (authorization is null)
        {
            return (null, error(404, "itemNotFound", $"No device code has the user code '{userCode}'."));
        }

        if (authorization.Status == DeviceCodeStatus.Pending && DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() >= authorization.ExpiresAt)
        {
            return (null, error(400, "BadRequest", $"The device code '{authorization.UserCode}' has expired."));
        }

        return (authorization, null);
    }

    private static List<string> Split(string text) => text.Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string? Text(JsonObject body, string name) =>
        body[name] is JsonValue value && value.TryGetValue<string>(out var text) && text.Trim().Length > 0 ? text.Trim() : null;

    private static async Task<(JsonObject? Body, string? Error)> ReadObjectAsync(HttpRequest request)
    {
        try
        {
            return await JsonNode.ParseAsync(request.Body).ConfigureAwait(false) is JsonObject body
                ? (body, null)
                : (null, "The request body must be a JSON object.");
        }
        catch (JsonException failure)
        {
            return (null, $"The request body is not valid JSON: {failure.Message}");
        }
    }

    private static JsonArray Strings(IEnumerable<string> values) => new(values.Select(value => (JsonNode?)JsonValue.Create(value)).ToArray());

    private static string Iso(long unixMs) =>
        DateTimeOffset.FromUnixTimeMilliseconds(unixMs).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static GraphResponse Node(JsonNode node) => new(200, SandboxJson.Serialize(node));
}
