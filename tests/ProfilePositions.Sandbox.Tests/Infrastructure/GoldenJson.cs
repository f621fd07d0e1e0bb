using System.Text.Json.Nodes;

namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>
/// Compares a sandbox reply with a documented Graph example. Server-generated values are masked on both
/// sides; every documented member must be present with the documented value; members the documentation
/// truncated may appear in the reply only with a null value (declared but unset) or as an OData annotation.
/// </summary>
public static class GoldenJson
{
    public const string Mask = "<masked>";

    private static readonly string[] MaskedMembers = ["id", "createdDateTime", "lastModifiedDateTime"];

    public static JsonNode Load(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Golden", name);
        return JsonNode.Parse(File.ReadAllText(path))!;
    }

    /// <summary>Masks server-generated members of one workPosition (or of every item of a collection).</summary>
    public static JsonNode MaskPosition(JsonNode node)
    {
        var copy = node.DeepClone();
        if (copy is JsonObject obj && obj["value"] is JsonArray items)
        {
            foreach (var item in items)
            {
                MaskOne(item!.AsObject());
            }
        }
        else
        {
            MaskOne(copy.AsObject());
        }

        return copy;
    }

    private static void MaskOne(JsonObject position)
    {
        foreach (var member in MaskedMembers)
        {
            if (position.ContainsKey(member))
            {
                position[member] = Mask;
            }
        }

        foreach (var identitySet in new[] { "createdBy", "lastModifiedBy" })
        {
            if (position[identitySet]?["user"] is JsonObject user && user.ContainsKey("id"))
            {
                user["id"] = Mask;
            }
        }

        // The documentation prints the placeholder "datetime-value"; the create body never sets the date.
        if (position["detail"] is JsonObject detail && detail.ContainsKey("startMonthYear"))
        {
            detail["startMonthYear"] = Mask;
        }
    }

    public static IReadOnlyList<string> Differences(JsonNode? expected, JsonNode? actual)
    {
        var differences = new List<string>();
        Compare(expected, actual, "$", differences);
        return differences;
    }

    private static void Compare(JsonNode? expected, JsonNode? actual, string path, List<string> differences)
    {
        switch (expected)
        {
            case JsonObject expectedObject:
                if (actual is not JsonObject actualObject)
                {
                    differences.Add($"{path}: expected an object, got {actual?.ToJsonString() ?? "null"}");
                    return;
                }

                foreach (var (name, value) in expectedObject)
                {
                    if (!actualObject.ContainsKey(name))
                    {
                        differences.Add($"{path}.{name}: missing");
                        continue;
                    }

                    Compare(value, actualObject[name], $"{path}.{name}", differences);
                }

                foreach (var (name, value) in actualObject)
                {
                    if (!expectedObject.ContainsKey(name) && value is not null && !name.StartsWith("@odata.", StringComparison.Ordinal))
                    {
                        differences.Add($"{path}.{name}: unexpected non-null member {value.ToJsonString()}");
                    }
                }

                break;
            case JsonArray expectedArray:
                if (actual is not JsonArray actualArray || actualArray.Count != expectedArray.Count)
                {
                    differences.Add($"{path}: expected {expectedArray.ToJsonString()}, got {actual?.ToJsonString() ?? "null"}");
                    return;
                }

                for (var i = 0; i < expectedArray.Count; i++)
                {
                    Compare(expectedArray[i], actualArray[i], $"{path}[{i}]", differences);
                }

                break;
            default:
                if (!JsonNode.DeepEquals(expected, actual))
                {
                    differences.Add($"{path}: expected {expected?.ToJsonString() ?? "null"}, got {actual?.ToJsonString() ?? "null"}");
                }

                break;
        }
    }
}
