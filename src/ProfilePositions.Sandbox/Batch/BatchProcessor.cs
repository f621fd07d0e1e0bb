using System.Buffers;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Admin;
using ProfilePositions.Sandbox.Auth;
using ProfilePositions.Sandbox.Faults;
using ProfilePositions.Sandbox.Graph;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Batch;

/// <summary>
/// <c>POST /beta/$batch</c>: validates the envelope, runs the items through the same processor as plain requests —
/// side by side unless <c>dependsOn</c> chains them (see <see cref="BatchSchedule"/>) — and answers 200 with one
/// response per item once the slowest has finished.
/// </summary>
internal sealed class BatchProcessor(PositionStore store, TokenService tokens, FaultEngine faults, GraphProcessor processor, RequestJournal journal, SandboxOptions options)
{
    private const int MaxItems = 20;

    public async Task<GraphOutcome> ProcessAsync(GraphRequest envelope, GraphRoute route, long envelopeSeq, CancellationToken ct)
    {
        var caller = tokens.Peek(envelope.Authorization);
        var callerUser = caller is null ? null : store.State.FindUser(caller.ObjectId);
        if (faults.CheckPenalty(caller?.ObjectId) is { } remaining)
        {
            return GraphProcessor.PenaltyOutcome(envelope, remaining, callerUser);
        }

        var fault = faults.Evaluate(envelope.Method, route.DecodedPath, callerUser, FaultTarget.Envelope);
        if (fault?.Rule.LatencyMs is > 0)
        {
            await Task.Delay(fault.Rule.LatencyMs.Value, ct).ConfigureAwait(false);
        }

        var failing = fault is not null && (fault.Rule.Status is not null || fault.Rule.Transport != TransportFault.None);
        if (failing && !fault!.Rule.CommitAfter)
        {
            return Finish(GraphProcessor.FaultOutcome(envelope, fault, null));
        }

        var outcome = await RunAsync(envelope, envelopeSeq, ct).ConfigureAwait(false);
        outcome.User = callerUser;
        if (failing && outcome.Transport == TransportFault.None)
        {
            outcome = GraphProcessor.FaultOutcome(envelope, fault!, outcome.Response);
            outcome.User = callerUser;
        }

        return Finish(outcome);

        GraphOutcome Finish(GraphOutcome result)
        {
            result.User ??= callerUser;
            result.FaultDescription ??= fault?.Description;
            faults.NoteRetryAfter(caller?.ObjectId, result.Response.Header("Retry-After"));
            return result;
        }
    }

    private async Task<GraphOutcome> RunAsync(GraphRequest envelope, long envelopeSeq, CancellationToken ct)
    {
        if (envelope.Method != "POST")
        {
            return new GraphOutcome(ODataErrors.MethodNotAllowed(envelope));
        }

        if (envelope.HasBody && !PositionHandlers.IsJson(envelope.ContentType))
        {
            return new GraphOutcome(ODataErrors.Create(415, "UnsupportedMediaType",
                $"Content-Type '{envelope.ContentType ?? "(none)"}' is not supported; send the batch as application/json.", envelope));
        }

        var (items, error) = Parse(envelope);
        if (items is null)
        {
            return new GraphOutcome(ODataErrors.BadRequest(error!, envelope));
        }

        var results = new Dictionary<string, (BatchItem Item, GraphResponse Response)>(StringComparer.OrdinalIgnoreCase);
        string? longestRetryAfter = null;
        DateTimeOffset longestUntil = DateTimeOffset.MinValue;
        TransportFault transport = TransportFault.None;
        string? transportFault = null;
        var schedule = new BatchSchedule(items);
        foreach (var item in schedule.Initial)
        {
            schedule.Start(item, Prepare(item, null, envelope), readyAtMs: 0);
        }

        var clock = Stopwatch.StartNew();
        while (schedule.Next() is { } next)
        {
            var wait = next.DueMs - clock.ElapsedMilliseconds;
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(wait), ct).ConfigureAwait(false);
            }

            var itemOutcome = processor.Complete(next.Prepared);
            var request = next.Prepared.Request;
            journal.Append(new JournalEntry(journal.NextSequence(), DateTime.UtcNow, request.Method, DecodedPathAndVersion(request.RawPath), request.RawQuery,
                envelopeSeq, next.Item.Id, itemOutcome.WireStatus, itemOutcome.FaultDescription, request.SentClientRequestId, request.RetryAttempt,
                request.HasBody ? Encoding.UTF8.GetString(request.Body) : null, itemOutcome.User?.UserPrincipalName, itemOutcome.Caller, RequestJournal.Keep(next.Item.Headers)));

            if (itemOutcome.Transport != TransportFault.None)
            {
                // One item cannot lose its connection on its own: the whole envelope does, and unfinished items never run.
                transport = itemOutcome.Transport;
                transportFault = itemOutcome.FaultDescription;
                break;
            }

            results[next.Item.Id] = (next.Item, itemOutcome.Response);
            if (itemOutcome.Response.Header("Retry-After") is { } retryAfter && FaultEngine.ParseRetryAfter(retryAfter) is { } until && until > longestUntil)
            {
                (longestUntil, longestRetryAfter) = (until, retryAfter);
            }

            foreach (var (dependant, failedDependency) in schedule.Finished(next.Item, itemOutcome.Response.IsSuccess))
            {
                schedule.Start(dependant, Prepare(dependant, failedDependency, envelope), next.DueMs);
            }
        }

        var ordered = items.Where(item => results.ContainsKey(item.Id)).Select(item => results[item.Id]).ToList();
        if (options.ShuffleBatch)
        {
            faults.Shuffle(ordered);
        }

        var body = WriteResponses(ordered);
        var outcome = new GraphOutcome(new GraphResponse(200, body)) { Transport = transport, FaultDescription = transportFault };

        // The items' changes are in the store before the envelope's Retry-After window opens.
        await PendingWrites.WaitCurrentAsync().ConfigureAwait(false);
        if (longestRetryAfter is not null)
        {
            // Penalty mode: items' Retry-After windows count for the caller once the envelope is answered.
            faults.NoteRetryAfter(tokens.Peek(envelope.Authorization)?.ObjectId, longestRetryAfter);
        }

        return outcome;
    }

    private PreparedRequest Prepare(BatchItem item, string? failedDependency, GraphRequest envelope)
    {
        var request = item.ToRequest(envelope);
        var route = GraphRoute.Parse(request.RawPath);
        if (failedDependency is null)
        {
            return processor.Prepare(request, route, FaultTarget.BatchItem);
        }

        // Graph does not run an item whose dependency failed: no token, no fault rule, no latency.
        return new PreparedRequest(request, route, FaultTarget.BatchItem, store.State, null, null)
        {
            Immediate = new GraphOutcome(ODataErrors.Create(424, "FailedDependency",
                $"Request '{item.Id}' was not run because request '{failedDependency}' it depends on failed.", request)),
        };
    }

    private static byte[] WriteResponses(List<(BatchItem Item, GraphResponse Response)> responses)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, SandboxJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("responses");
            foreach (var (item, response) in responses)
            {
                writer.WriteStartObject();
                writer.WriteString("id", item.Id);
                writer.WriteNumber("status", response.Status);
                writer.WriteStartObject("headers");
                if (response.Body is not null)
                {
                    writer.WriteString("Content-Type", response.ContentType);
                }

                foreach (var (name, value) in response.Headers)
                {
                    writer.WriteString(name, value);
                }

                writer.WriteEndObject();
                if (response.Body is not null)
                {
                    writer.WritePropertyName("body");
                    if (response.IsJson)
                    {
                        writer.WriteRawValue(response.Body, skipInputValidation: true);
                    }
                    else
                    {
                        // A plain-text body (the /$count integer) is a JSON number when it is one, else a JSON string.
                        var text = Encoding.UTF8.GetString(response.Body);
                        if (long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number))
                        {
                            writer.WriteNumberValue(number);
                        }
                        else
                        {
                            writer.WriteStringValue(text);
                        }
                    }
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static (List<BatchItem>? Items, string? Error) Parse(GraphRequest envelope)
    {
        JsonNode? root;
        try
        {
            root = envelope.HasBody ? JsonNode.Parse(envelope.Body) : null;
        }
        catch (JsonException error)
        {
            return (null, $"Invalid batch payload: the body is not valid JSON ({error.Message}).");
        }

        if (root is not JsonObject envelopeObject || envelopeObject["requests"] is not JsonArray requests)
        {
            return (null, "Invalid batch payload: expected a JSON object with a 'requests' array.");
        }

        if (requests.Count == 0)
        {
            return (null, "Invalid batch payload: the 'requests' array is empty.");
        }

        if (requests.Count > MaxItems)
        {
            return (null, $"Invalid batch payload: a batch holds at most {MaxItems} requests; this one has {requests.Count}.");
        }

        var items = new List<BatchItem>();
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var node in requests)
        {
            if (node is not JsonObject request)
            {
                return (null, "Invalid batch payload: every entry of 'requests' must be an object.");
            }

            if (!TryGetString(request, "id", out var id) || id.Length == 0)
            {
                return (null, "Invalid batch payload: every request needs a string 'id'.");
            }

            if (!ids.Add(id))
            {
                return (null, $"Invalid batch payload: the request id '{id}' is used more than once (ids are not case-sensitive).");
            }

            if (!TryGetString(request, "method", out var method) || method.Length == 0)
            {
                return (null, $"Invalid batch payload: request '{id}' needs a string 'method'.");
            }

            if (!TryGetString(request, "url", out var url) || url.Length == 0)
            {
                return (null, $"Invalid batch payload: request '{id}' needs a string 'url'.");
            }

            if (url.Contains("://", StringComparison.Ordinal) || url.StartsWith("//", StringComparison.Ordinal))
            {
                return (null, $"Invalid batch payload: request '{id}' has an absolute url; batch urls are relative, like /me/profile/positions.");
            }

            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (request["headers"] is { } headerNode)
            {
                if (headerNode is not JsonObject headerObject)
                {
                    return (null, $"Invalid batch payload: 'headers' of request '{id}' must be an object.");
                }

                foreach (var (name, value) in headerObject)
                {
                    if (value is null || value.GetValueKind() is JsonValueKind.Object or JsonValueKind.Array)
                    {
                        return (null, $"Invalid batch payload: header '{name}' of request '{id}' must be a string.");
                    }

                    headers[name] = value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : value.ToJsonString();
                }
            }

            byte[] body = [];
            if (request["body"] is { } bodyNode)
            {
                if (!headers.ContainsKey("Content-Type"))
                {
                    return (null, $"Invalid batch payload: request '{id}' has a body but no Content-Type header.");
                }

                body = SandboxJson.Serialize(bodyNode);
            }

            var dependsOn = new List<string>();
            if (request["dependsOn"] is { } dependsNode)
            {
                if (dependsNode is not JsonArray dependsArray)
                {
                    return (null, $"Invalid batch payload: 'dependsOn' of request '{id}' must be an array of request ids.");
                }

                foreach (var dependency in dependsArray)
                {
                    if (dependency is null || dependency.GetValueKind() != JsonValueKind.String)
                    {
                        return (null, $"Invalid batch payload: 'dependsOn' of request '{id}' must hold request ids as strings.");
                    }

                    dependsOn.Add(dependency.GetValue<string>());
                }
            }

            items.Add(new BatchItem(id, method.ToUpperInvariant(), url, headers, body, dependsOn));
        }

        foreach (var item in items)
        {
            foreach (var dependency in item.DependsOn)
            {
                if (!ids.Contains(dependency) || string.Equals(dependency, item.Id, StringComparison.OrdinalIgnoreCase))
                {
                    return (null, $"Invalid batch payload: request '{item.Id}' depends on '{dependency}', which is not another request of this batch.");
                }
            }
        }

        // Canonicalise dependency ids to the ids' own spelling, then reject cycles.
        var canonical = items.ToDictionary(item => item.Id, item => item.Id, StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            for (var index = 0; index < item.DependsOn.Count; index++)
            {
                item.DependsOn[index] = canonical[item.DependsOn[index]];
            }
        }

        if (ExecutionOrder(items).Count != items.Count)
        {
            return (null, "Invalid batch payload: the dependsOn references form a cycle.");
        }

        return (items, null);
    }

    // Array order, except that an item waits for the items it depends on.
    private static List<BatchItem> ExecutionOrder(List<BatchItem> items)
    {
        var done = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var order = new List<BatchItem>();
        var progress = true;
        while (progress && order.Count < items.Count)
        {
            progress = false;
            foreach (var item in items)
            {
                if (!done.Contains(item.Id) && item.DependsOn.All(done.Contains))
                {
                    order.Add(item);
                    done.Add(item.Id);
                    progress = true;
                    break;
                }
            }
        }

        return order;
    }

    private static bool TryGetString(JsonObject owner, string name, out string value)
    {
        value = string.Empty;
        if (owner[name] is JsonValue node && node.GetValueKind() == JsonValueKind.String)
        {
            value = node.GetValue<string>();
            return true;
        }

        return false;
    }

    private static string DecodedPathAndVersion(string rawPath) => Uri.UnescapeDataString(rawPath);
}
