using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.State;

internal sealed record LoadedState(IReadOnlyList<TenantUser> Users, IReadOnlyList<(string UserKey, IReadOnlyList<JsonObject> Positions)> Positions);

/// <summary>
/// The <c>--data</c> file: <c>{"version":1,"users":[...],"positions":{"&lt;userId&gt;":[...]}}</c>. Every write goes to a
/// temporary file that then replaces the real one by rename, so a kill at any moment leaves either the old or the
/// new complete file.
/// </summary>
internal sealed class StateFile(string path)
{
    public string FullPath { get; } = Path.GetFullPath(path);

    public LoadedState? Load()
    {
        if (!File.Exists(FullPath))
        {
            return null;
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllBytes(FullPath)) as JsonObject
                ?? throw new InvalidDataException($"The data file '{FullPath}' does not hold a JSON object.");
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The data file '{FullPath}' is not valid JSON: {error.Message}", error);
        }

        if (root["version"] is JsonValue version && version.GetValue<int>() != 1)
        {
            throw new InvalidDataException($"The data file '{FullPath}' has version {version}; this sandbox reads version 1.");
        }

        var users = new List<TenantUser>();
        foreach (var node in root["users"] as JsonArray ?? [])
        {
            if (node is not JsonObject user
                || user["id"]?.GetValue<string>() is not { Length: > 0 } id
                || user["userPrincipalName"]?.GetValue<string>() is not { Length: > 0 } upn)
            {
                throw new InvalidDataException($"The data file '{FullPath}' has a user without id or userPrincipalName.");
            }

            users.Add(new TenantUser(id, upn, user["displayName"]?.GetValue<string>() ?? upn));
        }

        var positions = new List<(string, IReadOnlyList<JsonObject>)>();
        if (root["positions"] is JsonObject byUser)
        {
            foreach (var (userKey, list) in byUser)
            {
                var items = (list as JsonArray ?? []).Select(item => item as JsonObject
                    ?? throw new InvalidDataException($"The data file '{FullPath}' has a position of user '{userKey}' that is not an object.")).ToList();
                positions.Add((userKey, items));
            }
        }

        return new LoadedState(users, positions);
    }

    public void Write(TenantState state)
    {
        var directory = Path.GetDirectoryName(FullPath)!;
        Directory.CreateDirectory(directory);
        var temporary = Path.Combine(directory, $".{Path.GetFileName(FullPath)}.{Environment.ProcessId}.tmp");
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        using (var writer = new Utf8JsonWriter(stream, SandboxJson.WriterOptions))
        {
            state.WriteTo(writer, withVersion: true);
        }

        File.Move(temporary, FullPath, overwrite: true);
    }
}
