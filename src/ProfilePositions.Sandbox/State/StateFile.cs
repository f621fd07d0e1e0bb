using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.State;

internal sealed record LoadedState(IReadOnlyList<TenantUser> Users, IReadOnlyList<(string UserKey, IReadOnlyList<JsonObject> Positions)> Positions);

/// <summary>
/// The JSON form of a tenant, <c>{"version":1,"users":[...],"positions":{"&lt;userId or UPN&gt;":[...]}}</c>: the seed
/// file users write, the store's copy of that seed, <c>GET /_sandbox/state</c> and <c>--export</c>. Anything that is not
/// a complete tenant is refused with a message naming the file, never read as an empty one.
/// </summary>
internal static class StateFile
{
    /// <summary>The file's bytes, or null when it does not exist.</summary>
    public static byte[]? Read(string path) => File.Exists(path) ? File.ReadAllBytes(path) : null;

    /// <exception cref="InvalidDataException">The bytes are not a complete version 1 tenant.</exception>
    public static LoadedState Parse(byte[] json, string source)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(json) as JsonObject
                ?? throw new InvalidDataException($"{source} does not hold a JSON object.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"{source} is not valid JSON (cut short or damaged?): {error.Message}", error);
        }

        if (root["version"] is { } version && !(version is JsonValue value && value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number) && number == 1))
        {
            throw new InvalidDataException($"{source} has version {version.ToJsonString()}; this sandbox reads version 1.");
        }

        if (root["users"] is not JsonArray userList)
        {
            throw new InvalidDataException($"{source} has no \"users\" array; a tenant file is {{\"version\":1,\"users\":[...],\"positions\":{{...}}}}.");
        }

        var users = new List<TenantUser>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var upns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var node in userList)
        {
            if (node is not JsonObject user || Text(user, "id") is not { Length: > 0 } id || Text(user, "userPrincipalName") is not { Length: > 0 } upn)
            {
                throw new InvalidDataException($"{source} has a user without a string id or userPrincipalName.");
            }

            if (!ids.Add(id) || !upns.Add(upn))
            {
                throw new InvalidDataException($"{source} lists the user '{upn}' ({id}) twice (ids and userPrincipalNames must be unique).");
            }

            users.Add(new TenantUser(id, upn, Text(user, "displayName") ?? upn));
        }

        if (users.Count == 0)
        {
            throw new InvalidDataException($"{source} lists no users; a tenant needs at least one.");
        }

        var positions = new List<(string, IReadOnlyList<JsonObject>)>();
        switch (root["positions"])
        {
            case null:
                break;
            case JsonObject byUser:
                foreach (var (userKey, list) in byUser)
                {
                    if (list is not JsonArray items)
                    {
                        throw new InvalidDataException($"{source} has positions of user '{userKey}' that are not an array.");
                    }

                    positions.Add((userKey, items.Select(item => item is JsonObject position && (position["id"] is null || Text(position, "id") is { Length: > 0 })
                        ? position
                        : throw new InvalidDataException($"{source} has a position of user '{userKey}' that is not an object with a string id (or none).")).ToList()));
                }

                break;
            default:
                throw new InvalidDataException($"{source} has \"positions\" that are not an object keyed by user.");
        }

        return new LoadedState(users, positions);
    }

    /// <summary>Writes by a temporary file in the same folder and a rename, so readers see the old or the new file, never half of one.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> bytes)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Environment.ProcessId}.tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                stream.Write(bytes);
            }

            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static string? Text(JsonObject owner, string name) =>
        owner[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
}
