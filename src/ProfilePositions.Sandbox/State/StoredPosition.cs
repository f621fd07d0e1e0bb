using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.State;

/// <summary>
/// One position as stored: the full normalised JSON as UTF-8 (compact, and served without re-serialising) plus the
/// few values that $filter and $orderby need. Immutable, so readers can use it after leaving the user's lock.
/// </summary>
internal sealed class StoredPosition
{
    private StoredPosition(string id, long sequence, byte[] json, JsonObject source)
    {
        Id = id;
        Sequence = sequence;
        Json = json;
        CreatedDateTime = ReadDate(source, "createdDateTime");
        LastModifiedDateTime = ReadDate(source, "lastModifiedDateTime");
        var leaves = new Dictionary<string, object?>(StringComparer.Ordinal);
        CollectLeaves(source, string.Empty, leaves);
        Leaves = leaves;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Prefix, string Name), string> PathNames = new();

    public string Id { get; }

    /// <summary>Creation order inside the store; breaks ties between equal sort keys.</summary>
    public long Sequence { get; }

    public byte[] Json { get; }

    public DateTimeOffset? CreatedDateTime { get; }

    public DateTimeOffset? LastModifiedDateTime { get; }

    /// <summary>
    /// Every non-null primitive value reachable through nested objects (not arrays), by path such as
    /// <c>detail/company/displayName</c>: a string, a bool or a double. What $filter and $orderby read.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Leaves { get; }

    /// <summary>The value at a path; null when it is null or absent.</summary>
    public object? Leaf(string path) => Leaves.GetValueOrDefault(path);

    public static StoredPosition From(JsonObject position, long sequence)
    {
        var id = ReadString(position, "id") ?? throw new InvalidOperationException("A stored position needs an id.");
        return new StoredPosition(id, sequence, JsonSerializer.SerializeToUtf8Bytes(position, SandboxJson.NodeInfo), position);
    }

    public JsonObject ToJsonObject() => JsonNode.Parse(Json)!.AsObject();

    private static string? ReadString(JsonObject? owner, string name) =>
        owner?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    // Only non-null values are kept (most members are null), under path strings shared by all positions.
    private static void CollectLeaves(JsonObject owner, string prefix, Dictionary<string, object?> leaves)
    {
        foreach (var (name, value) in owner)
        {
            if (value is null)
            {
                continue;
            }

            var path = PathNames.GetOrAdd((prefix, name), key => key.Prefix.Length == 0 ? key.Name : $"{key.Prefix}/{key.Name}");
            switch (value)
            {
                case JsonObject nested:
                    CollectLeaves(nested, path, leaves);
                    break;
                case JsonValue primitive when primitive.GetValueKind() == JsonValueKind.String:
                    leaves[path] = primitive.GetValue<string>();
                    break;
                case JsonValue primitive when primitive.GetValueKind() is JsonValueKind.True or JsonValueKind.False:
                    leaves[path] = primitive.GetValue<bool>();
                    break;
                case JsonValue primitive when primitive.GetValueKind() == JsonValueKind.Number:
                    leaves[path] = primitive.GetValue<double>();
                    break;
            }
        }
    }

    private static DateTimeOffset? ReadDate(JsonObject owner, string name) =>
        ReadString(owner, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
