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
    private StoredPosition(string id, long sequence, byte[] json, DateTimeOffset? createdDateTime, DateTimeOffset? lastModifiedDateTime)
    {
        Id = id;
        Sequence = sequence;
        Json = json;
        CreatedDateTime = createdDateTime;
        LastModifiedDateTime = lastModifiedDateTime;
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
        return new StoredPosition(id, sequence, JsonSerializer.SerializeToUtf8Bytes(position, SandboxJson.NodeInfo),
            ParseDate(ReadString(position, "createdDateTime")), ParseDate(ReadString(position, "lastModifiedDateTime")));
    }

    /// <summary>
    /// A position from bytes this sandbox wrote (normalised, compact): only the top-level id and timestamps are read,
    /// so loading a store does not build a JSON tree per position.
    /// </summary>
    /// <exception cref="InvalidDataException">The bytes are not a JSON object with a string id.</exception>
    public static StoredPosition FromJson(byte[] json, long sequence)
    {
        string? id = null, created = null, modified = null;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new InvalidDataException("A stored position is not a JSON object.");
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                var isId = name.SequenceEqual("id"u8);
                var isCreated = !isId && name.SequenceEqual("createdDateTime"u8);
                var isModified = !isId && !isCreated && name.SequenceEqual("lastModifiedDateTime"u8);
                reader.Read();
                if (reader.TokenType == JsonTokenType.String && (isId || isCreated || isModified))
                {
                    var text = reader.GetString();
                    (id, created, modified) = isId ? (text, created, modified) : isCreated ? (id, text, modified) : (id, created, text);
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"A stored position is not valid JSON: {error.Message}", error);
        }

        return new StoredPosition(id ?? throw new InvalidDataException("A stored position has no id."), sequence, json, ParseDate(created), ParseDate(modified));
    }

    /// <summary>The same position under another sequence number.</summary>
    public StoredPosition WithSequence(long sequence) => new(Id, sequence, Json, CreatedDateTime, LastModifiedDateTime) { _leaves = _leaves };

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

    private static DateTimeOffset? ParseDate(string? text) =>
        text is not null && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
