using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization.Metadata;

namespace ProfilePositions.Sandbox.State;

/// <summary>Shared JSON settings: compact, no needless escaping (UPNs with '#', '$' and apostrophes read as-is).</summary>
internal static class SandboxJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver(),
    };

    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static readonly JsonTypeInfo<JsonNode> NodeInfo = (JsonTypeInfo<JsonNode>)Options.GetTypeInfo(typeof(JsonNode));

    public static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    /// <summary>Graph's DateTimeOffset form: UTC with seven fractional digits and Z.</summary>
    public static string FormatTimestamp(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The error body's innerError date: no fraction and no zone, as the profile service writes it.</summary>
    public static string FormatErrorDate(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);

    public static byte[] Serialize(JsonNode node) => JsonSerializer.SerializeToUtf8Bytes(node, NodeInfo);
}
