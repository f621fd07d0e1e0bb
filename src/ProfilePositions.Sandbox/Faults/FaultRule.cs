using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace ProfilePositions.Sandbox.Faults;

internal enum FaultTarget
{
    Request,
    BatchItem,
    Envelope,
}

internal enum TransportFault
{
    None,
    Hang,
    Close,
    Reset,
    HalfBody,
}

/// <summary>
/// One fault rule. Occurrences count every request that matches the rule's criteria (method, path, user, target);
/// the rule fires from occurrence <see cref="Nth"/> on, at most <see cref="Times"/> times (1 when only nth is given,
/// else unlimited), each time with <see cref="Probability"/> drawn from the seeded generator.
/// </summary>
internal sealed class FaultRule
{
    private static readonly int[] Statuses = [429, 500, 502, 503, 504, 507, 509];

    public required JsonNode Id { get; init; }

    public string? Method { get; init; }

    public string? Path { get; init; }

    public Regex? PathPattern { get; init; }

    public string? User { get; init; }

    public string Target { get; init; } = "any";

    public int? Nth { get; init; }

    public int? Times { get; init; }

    public double Probability { get; init; } = 1;

    public bool CommitAfter { get; init; }

    public int? Status { get; init; }

    public string? RetryAfter { get; init; }

    public TransportFault Transport { get; init; }

    public int? LatencyMs { get; init; }

    /// <summary>Requests that met the criteria so far (guarded by the engine's lock).</summary>
    public int Occurrences { get; set; }

    public int Fired { get; set; }

    public string IdText => Id.GetValueKind() == JsonValueKind.String ? Id.GetValue<string>() : Id.ToJsonString();

    public bool AppliesTo(FaultTarget target) => Target switch
    {
        "request" => target == FaultTarget.Request,
        "batchItem" => target == FaultTarget.BatchItem,
        "envelope" => target == FaultTarget.Envelope,
        _ => target != FaultTarget.Envelope,
    };

    public string Describe()
    {
        var what = Transport != TransportFault.None
            ? $"transport {TransportName(Transport)}"
            : Status is { } status
                ? $"status {status}" + (RetryAfter is null ? string.Empty : $" Retry-After {RetryAfter}")
                : "latency only";
        if (LatencyMs is > 0)
        {
            what += $" after {LatencyMs} ms";
        }

        return $"rule {IdText}: {what}" + (CommitAfter ? " (commit after)" : string.Empty);
    }

    public JsonObject ToJson() => new()
    {
        ["id"] = Id.DeepClone(),
        ["method"] = Method,
        ["path"] = Path,
        ["user"] = User,
        ["target"] = Target,
        ["nth"] = Nth,
        ["times"] = Times,
        ["probability"] = Probability,
        ["commit"] = CommitAfter ? "after" : "before",
        ["status"] = Status,
        ["retryAfter"] = RetryAfter,
        ["transport"] = Transport == TransportFault.None ? null : TransportName(Transport),
        ["latencyMs"] = LatencyMs,
        ["occurrences"] = Occurrences,
        ["fired"] = Fired,
    };

    /// <exception cref="FormatException">The rule is malformed; the message says which member.</exception>
    public static FaultRule Parse(JsonNode? node, JsonNode assignedId)
    {
        if (node is not JsonObject rule)
        {
            throw new FormatException("A fault rule must be a JSON object.");
        }

        var known = new[] { "id", "method", "path", "user", "target", "nth", "times", "probability", "commit", "status", "retryAfter", "transport", "latencyMs" };
        foreach (var (name, _) in rule)
        {
            if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
            {
                throw new FormatException($"Unknown fault rule member '{name}'. Known: {string.Join(", ", known)}.");
            }
        }

        JsonNode? Get(string name) => rule.FirstOrDefault(pair => string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

        string? Text(string name)
        {
            var value = Get(name);
            return value is null ? null
                : value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>()
                : throw new FormatException($"Fault rule member '{name}' must be a string.");
        }

        int? Int(string name, int min)
        {
            var value = Get(name);
            if (value is null)
            {
                return null;
            }

            if (value.GetValueKind() != JsonValueKind.Number || !value.AsValue().TryGetValue<int>(out var number) || number < min)
            {
                throw new FormatException($"Fault rule member '{name}' must be an integer of at least {min}.");
            }

            return number;
        }

        var id = Get("id") is { } givenId && givenId.GetValueKind() is JsonValueKind.String or JsonValueKind.Number ? givenId.DeepClone() : assignedId;
        var path = Text("path");
        Regex? pattern = null;
        if (path is not null)
        {
            try
            {
                pattern = new Regex(path, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException error)
            {
                throw new FormatException($"Fault rule member 'path' is not a valid regular expression: {error.Message}");
            }
        }

        var target = Text("target") ?? "any";
        target = new[] { "request", "batchItem", "envelope", "any" }.FirstOrDefault(candidate => string.Equals(candidate, target, StringComparison.OrdinalIgnoreCase))
            ?? throw new FormatException("Fault rule member 'target' must be request, batchItem, envelope or any.");

        var probability = 1.0;
        if (Get("probability") is { } probabilityNode)
        {
            if (probabilityNode.GetValueKind() != JsonValueKind.Number || probabilityNode.GetValue<double>() is < 0 or > 1)
            {
                throw new FormatException("Fault rule member 'probability' must be a number from 0 to 1.");
            }

            probability = probabilityNode.GetValue<double>();
        }

        var commit = Text("commit") ?? "before";
        if (!commit.Equals("before", StringComparison.OrdinalIgnoreCase) && !commit.Equals("after", StringComparison.OrdinalIgnoreCase))
        {
            throw new FormatException("Fault rule member 'commit' must be before or after.");
        }

        var status = Int("status", 100);
        if (status is { } code && !Statuses.Contains(code))
        {
            throw new FormatException($"Fault rule member 'status' must be one of {string.Join(", ", Statuses)}.");
        }

        string? retryAfter = Get("retryAfter") switch
        {
            null => null,
            var value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
            var value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
            _ => throw new FormatException("Fault rule member 'retryAfter' must be a string (2, 2.128 or an HTTP-date), a number or null."),
        };

        var transport = Text("transport") switch
        {
            null => TransportFault.None,
            var value when value.Equals("hang", StringComparison.OrdinalIgnoreCase) => TransportFault.Hang,
            var value when value.Equals("close", StringComparison.OrdinalIgnoreCase) => TransportFault.Close,
            var value when value.Equals("reset", StringComparison.OrdinalIgnoreCase) => TransportFault.Reset,
            var value when value.Equals("halfBody", StringComparison.OrdinalIgnoreCase) => TransportFault.HalfBody,
            _ => throw new FormatException("Fault rule member 'transport' must be hang, close, reset or halfBody."),
        };

        var latency = Int("latencyMs", 0);
        if (status is null && transport == TransportFault.None && latency is null)
        {
            throw new FormatException("A fault rule needs 'status', 'transport' or 'latencyMs'.");
        }

        if (status is not null && transport != TransportFault.None)
        {
            throw new FormatException("A fault rule takes either 'status' or 'transport', not both.");
        }

        var nth = Int("nth", 1);
        return new FaultRule
        {
            Id = id,
            Method = Text("method")?.ToUpperInvariant(),
            Path = path,
            PathPattern = pattern,
            User = Text("user"),
            Target = target,
            Nth = nth,
            Times = Int("times", 1) ?? (nth is null ? null : 1),
            Probability = probability,
            CommitAfter = commit.Equals("after", StringComparison.OrdinalIgnoreCase),
            Status = status,
            RetryAfter = retryAfter,
            Transport = transport,
            LatencyMs = latency,
        };
    }

    private static string TransportName(TransportFault transport) => transport switch
    {
        TransportFault.HalfBody => "halfBody",
        _ => transport.ToString().ToLower(CultureInfo.InvariantCulture),
    };
}
