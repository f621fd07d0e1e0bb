using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>Shared checks for Graph's OData error shape, headers and formats.</summary>
public static partial class GraphAssert
{
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$")]
    public static partial Regex TimestampPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")]
    public static partial Regex InnerErrorDatePattern();

    /// <summary>
    /// Asserts the status and Graph's error body:
    /// <c>{"error":{"code","message","innerError":{"request-id","date","client-request-id"}}}</c>,
    /// with innerError ids matching the response headers. Returns the <c>error</c> object.
    /// </summary>
    public static JsonObject ODataError(SandboxResponse response, int expectedStatus, string? expectedCode)
    {
        Assert.True(expectedStatus == response.StatusCode, $"Expected {expectedStatus}, got {response}");
        var root = Assert.IsType<JsonObject>(response.Json, exactMatch: false);
        var error = Assert.IsType<JsonObject>(root["error"], exactMatch: false);
        var code = error["code"]?.GetValue<string>();
        Assert.False(string.IsNullOrEmpty(code), $"error.code missing: {response.Text}");
        if (expectedCode is not null)
        {
            Assert.Equal(expectedCode, code);
        }

        Assert.NotNull(error["message"]);
        Assert.Equal(System.Text.Json.JsonValueKind.String, error["message"]!.GetValueKind());
        var inner = Assert.IsType<JsonObject>(error["innerError"], exactMatch: false);
        var requestId = inner["request-id"]?.GetValue<string>();
        var clientRequestId = inner["client-request-id"]?.GetValue<string>();
        var date = inner["date"]?.GetValue<string>();
        Assert.True(Guid.TryParse(requestId, out _), $"innerError.request-id is not a GUID: {response.Text}");
        Assert.False(string.IsNullOrEmpty(clientRequestId), $"innerError.client-request-id missing: {response.Text}");
        Assert.Matches(InnerErrorDatePattern(), date ?? string.Empty);
        Assert.Equal(response.RawHeader("request-id"), requestId);
        Assert.Equal(response.RawHeader("client-request-id"), clientRequestId);
        return error;
    }

    /// <summary>Asserts the batch item's status and error body (no headers to compare with).</summary>
    public static JsonObject ItemError(JsonNode item, int expectedStatus, string? expectedCode)
    {
        Assert.Equal(expectedStatus, item["status"]!.GetValue<int>());
        var error = Assert.IsType<JsonObject>(item["body"]?["error"], exactMatch: false);
        if (expectedCode is not null)
        {
            Assert.Equal(expectedCode, error["code"]!.GetValue<string>());
        }

        Assert.NotNull(error["message"]);
        Assert.NotNull(error["innerError"]?["request-id"]);
        return error;
    }

    public static void Status(SandboxResponse response, int expectedStatus) =>
        Assert.True(expectedStatus == response.StatusCode, $"Expected {expectedStatus}, got {response}");

    public static void Timestamp(JsonNode? value)
    {
        Assert.NotNull(value);
        Assert.Matches(TimestampPattern(), value!.GetValue<string>());
    }

    /// <summary>
    /// Every member of <paramref name="expected"/> is in <paramref name="actual"/> with the same value; members
    /// only <paramref name="actual"/> has are null (the schema's unset members) or OData annotations.
    /// </summary>
    public static void SameMembers(JsonNode? expected, JsonNode? actual)
    {
        var differences = GoldenJson.Differences(expected, actual);
        Assert.True(differences.Count == 0, $"JSON differs:\n{string.Join("\n", differences)}\nActual: {actual?.ToJsonString()}");
    }

    public static void JsonEqual(JsonNode? expected, JsonNode? actual) =>
        Assert.True(
            JsonNode.DeepEquals(expected, actual),
            $"JSON differs.\nExpected: {expected?.ToJsonString()}\nActual:   {actual?.ToJsonString()}");
}
