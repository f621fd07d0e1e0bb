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
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(string Prefix, string Name), string> PathNames = new();

    private IReadOnlyDictionary<string, object?>? _leaves;

    public string Id { get; }

    /// <summary>Creation order inside the store; breaks ties between equal sort keys.</summary>
    public long Sequence { get; }

    public byte[] Json { get; }

    public DateTimeOffset? CreatedDateTime { get; }

    public DateTimeOffset? LastModifiedDateTime { get; }

    /// <summary>
    /// Every non-null primitive value reachable through nested objects (not arrays), by path such as
    /// <c>detail/company/displayName</c>: a string, a bool or a double. What $filter and $orderby read; read from
    /// <see cref="Json"/> the first time a query needs it, so creates and plain reads never pay for it.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Leaves
    {
        get
        {
            // Two threads may both compute it; either result is the same, immutable dictionary.
            var leaves = Volatile.Read(ref _leaves);
            if (leaves is null)
            {
                leaves = ReadLeaves(Json);
                Volatile.Write(ref _leaves, leaves);
            }

            return leaves;
        }
    }

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
    private static Dictionary<string, object?> ReadLeaves(byte[] json)
    {
        var leaves = new Dictionary<string, object?>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(json);
        var path = new Stack<string>();
        var property = string.Empty;
        var arrays = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    property = reader.GetString()!;
                    break;
                case JsonTokenType.StartObject when arrays == 0:
                    path.Push(path.Count == 0 ? string.Empty : Join(path.Peek(), property));
                    break;
                case JsonTokenType.EndObject when arrays == 0:
                    path.Pop();
                    break;
                case JsonTokenType.StartArray:
                    arrays++;
                    break;
                case JsonTokenType.EndArray:
                    arrays--;
                    break;
                case JsonTokenType.String when arrays == 0:
                    leaves[Join(path.Peek(), property)] = reader.GetString();
                    break;
                case JsonTokenType.True or JsonTokenType.False when arrays == 0:
                    leaves[Join(path.Peek(), property)] = reader.GetBoolean();
                    break;
                case JsonTokenType.Number when arrays == 0:
                    leaves[Join(path.Peek(), property)] = reader.GetDouble();
                    break;
            }
        }

        return leaves;
    }

    private static string Join(string prefix, string name) =>
        PathNames.GetOrAdd((prefix, name), key => key.Prefix.Length == 0 ? key.Name : $"{key.Prefix}/{key.Name}");

    private static DateTimeOffset? ReadDate(JsonObject owner, string name) =>
        ReadString(owner, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
