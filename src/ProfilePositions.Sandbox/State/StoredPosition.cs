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
        IsCurrent = source["isCurrent"] is JsonValue current && current.TryGetValue<bool>(out var flag) ? flag : null;
        var detail = source["detail"] as JsonObject;
        JobTitle = ReadString(detail, "jobTitle");
        StartMonthYear = ReadString(detail, "startMonthYear");
        CompanyDisplayName = ReadString(detail?["company"] as JsonObject, "displayName");
    }

    public string Id { get; }

    /// <summary>Creation order inside the store; breaks ties between equal sort keys.</summary>
    public long Sequence { get; }

    public byte[] Json { get; }

    public DateTimeOffset? CreatedDateTime { get; }

    public DateTimeOffset? LastModifiedDateTime { get; }

    public bool? IsCurrent { get; }

    public string? JobTitle { get; }

    public string? StartMonthYear { get; }

    public string? CompanyDisplayName { get; }

    public static StoredPosition From(JsonObject position, long sequence)
    {
        var id = ReadString(position, "id") ?? throw new InvalidOperationException("A stored position needs an id.");
        return new StoredPosition(id, sequence, JsonSerializer.SerializeToUtf8Bytes(position, SandboxJson.NodeInfo), position);
    }

    public JsonObject ToJsonObject() => JsonNode.Parse(Json)!.AsObject();

    private static string? ReadString(JsonObject? owner, string name) =>
        owner?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static DateTimeOffset? ReadDate(JsonObject owner, string name) =>
        ReadString(owner, name) is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var value)
            ? value
            : null;
}
