using System.Collections;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ProfilePositions.Engine.Batching;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Tests;

/// <summary>One operation as Graph saw it: a plain request, or one step of a $batch envelope.</summary>
/// <param name="Seq">Arrival order of the HTTP request that carried it (1 for the first).</param>
/// <param name="Url">The path and query below the version segment ("/me/profile/positions/p1").</param>
/// <param name="Envelope">0 for a plain request, else the number of the $batch envelope (1 for the first).</param>
internal sealed record GraphCall(int Seq, string Method, string Url, IReadOnlyDictionary<string, string> Headers, string Body, int Envelope, string? StepId)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}

/// <summary>What Graph answers to one operation (plain, or as an item of a $batch answer).</summary>
internal sealed record ItemAnswer(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    public static ItemAnswer Json(int status, string body) => new(status, body);

    public static ItemAnswer Throttled(string retryAfter) => new(429, """{"error":{"code":"TooManyRequests","message":"Please retry again later."}}""", new Dictionary<string, string> { ["Retry-After"] = retryAfter });
}

/// <summary>A whole HTTP answer, for a test that answers an envelope itself (503, 307, cut off, a hand-made body).</summary>
internal sealed record WireAnswer(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null, bool Abort = false)
{
    public static WireAnswer Dropped() => new(0, Abort: true);
}

/// <summary>One HTTP request as it arrived, with the virtual time it arrived at (when the graph has a clock).</summary>
internal sealed record WireRequest(int Seq, string Method, string RawUrl, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
{
    public bool IsBatch => Method == "POST" && RawUrl.EndsWith("/$batch", StringComparison.Ordinal);
}

/// <summary>
/// A Graph stand-in on 127.0.0.1 that, unlike <see cref="LoopbackGraph"/>, serves requests side by side (each on its
/// own task), understands JSON $batch envelopes (every step is answered by the same callback as a plain request) and
/// records what went over the wire: every HTTP request, every envelope's steps, and every operation.
/// </summary>
internal sealed class BulkGraph : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly string _prefix;
    private int _seq;
    private int _envelopes;

    public BulkGraph(Func<GraphCall, ItemAnswer> onItem, string pathPrefix = "")
    {
        OnItem = onItem;
        _prefix = pathPrefix.TrimEnd('/');
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}{_prefix}");

    /// <summary>Answers each operation (plain or step).</summary>
    public Func<GraphCall, ItemAnswer> OnItem { get; set; }

    /// <summary>Runs before any answer: delay, count, or hold a request. Called with the request and its parsed steps (none when plain).</summary>
    public Func<WireRequest, IReadOnlyList<GraphCall>, Task>? Hold { get; set; }

    /// <summary>Answers an envelope as a whole when it returns non-null (its steps are recorded, not answered).</summary>
    public Func<WireRequest, IReadOnlyList<GraphCall>, WireAnswer?>? OnEnvelope { get; set; }

    /// <summary>Answers a plain request as a whole when it returns non-null.</summary>
    public Func<WireRequest, WireAnswer?>? OnPlain { get; set; }

    /// <summary>Writes the items of a $batch answer in reverse order of the request.</summary>
    public bool ReverseAnswers { get; set; }

    /// <summary>Stamps arrivals with this clock (the retry policy's virtual one).</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    public ConcurrentQueue<WireRequest> Wire { get; } = new();

    /// <summary>What was answered, by the Seq of the request.</summary>
    public ConcurrentDictionary<int, WireAnswer> Answers { get; } = new();

    /// <summary>Every operation that arrived, in arrival order of the HTTP requests that carried them.</summary>
    public ConcurrentQueue<GraphCall> Sent { get; } = new();

    /// <summary>The steps of each envelope, by envelope number - 1.</summary>
    public ConcurrentDictionary<int, IReadOnlyList<GraphCall>> Envelopes { get; } = new();

    public IReadOnlyList<WireRequest> Requests => Wire.OrderBy(r => r.Seq).ToList();

    public IReadOnlyList<GraphCall> Calls => Sent.OrderBy(c => c.Seq).ThenBy(c => int.TryParse(c.StepId, out var id) ? id : 0).ToList();

    public IReadOnlyList<IReadOnlyList<GraphCall>> EnvelopeSteps => Envelopes.OrderBy(e => e.Key).Select(e => e.Value).ToList();

    public IReadOnlyList<GraphCall> CallsTo(string method, string url) => Calls.Where(c => c.Method == method && c.Url == url).ToList();

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception)
            {
                return;
            }

            _ = Task.Run(() => HandleAsync(context));
        }
    }

    private async Task HandleAsync(HttpListenerContext context)
    {
        try
        {
            using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (string? key in context.Request.Headers.AllKeys)
            {
                if (key != null)
                {
                    headers[key] = context.Request.Headers[key] ?? string.Empty;
                }
            }

            var seq = Interlocked.Increment(ref _seq);
            var raw = context.Request.RawUrl ?? string.Empty;
            var request = new WireRequest(seq, context.Request.HttpMethod, raw, headers, body, Clock.GetUtcNow());
            Wire.Enqueue(request);

            WireAnswer answer;
            if (request.IsBatch)
            {
                var envelope = Interlocked.Increment(ref _envelopes);
                var steps = ParseEnvelope(seq, envelope, body);
                Envelopes[envelope - 1] = steps;
                foreach (var step in steps)
                {
                    Sent.Enqueue(step);
                }

                if (Hold != null)
                {
                    await Hold(request, steps);
                }

                answer = OnEnvelope?.Invoke(request, steps) ?? AnswerSteps(steps);
            }
            else
            {
                var call = new GraphCall(seq, request.Method, BelowVersion(raw), headers, body, 0, null);
                Sent.Enqueue(call);
                if (Hold != null)
                {
                    await Hold(request, Array.Empty<GraphCall>());
                }

                var whole = OnPlain?.Invoke(request);
                if (whole != null)
                {
                    answer = whole;
                }
                else
                {
                    var item = OnItem(call);
                    answer = new WireAnswer(item.Status, item.Body, item.Headers);
                }
            }

            Answers[seq] = answer;
            if (answer.Abort)
            {
                context.Response.Abort();
                return;
            }

            context.Response.StatusCode = answer.Status;
            context.Response.Headers["request-id"] = "rid-" + seq;
            foreach (var header in answer.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[header.Key] = header.Value;
            }

            if (answer.Body != null)
            {
                context.Response.ContentType = "application/json";
                var bytes = Encoding.UTF8.GetBytes(answer.Body);
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
            }

            context.Response.Close();
        }
        catch (Exception)
        {
            // The listener was stopped under a request the test no longer waits for.
            try
            {
                context.Response.Abort();
            }
            catch (Exception)
            {
            }
        }
    }

    private WireAnswer AnswerSteps(IReadOnlyList<GraphCall> steps)
    {
        var answers = steps.Select(step => (step.StepId!, OnItem(step))).ToList();
        if (ReverseAnswers)
        {
            answers.Reverse();
        }

        return new WireAnswer(200, BatchJson.Responses(answers));
    }

    /// <summary>"/beta/me/profile/positions" (or with the graph's path prefix) -> "/me/profile/positions".</summary>
    private string BelowVersion(string raw)
    {
        var path = raw;
        if (_prefix.Length > 0 && path.StartsWith(_prefix + "/", StringComparison.Ordinal))
        {
            path = path.Substring(_prefix.Length);
        }

        return path.StartsWith("/beta/", StringComparison.Ordinal) ? path.Substring("/beta".Length) : path;
    }

    private static IReadOnlyList<GraphCall> ParseEnvelope(int seq, int envelope, string body)
    {
        var steps = new List<GraphCall>();
        using var document = JsonDocument.Parse(body);
        foreach (var step in document.RootElement.GetProperty("requests").EnumerateArray())
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (step.TryGetProperty("headers", out var stepHeaders) && stepHeaders.ValueKind == JsonValueKind.Object)
            {
                foreach (var header in stepHeaders.EnumerateObject())
                {
                    headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString()! : header.Value.GetRawText();
                }
            }

            var stepBody = step.TryGetProperty("body", out var b) ? (b.ValueKind == JsonValueKind.String ? b.GetString()! : b.GetRawText()) : string.Empty;
            steps.Add(new GraphCall(seq, step.GetProperty("method").GetString()!.ToUpperInvariant(), step.GetProperty("url").GetString()!, headers, stepBody, envelope, step.GetProperty("id").GetString()));
        }

        return steps;
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }
    }
}

/// <summary>Builds JSON $batch answers.</summary>
internal static class BatchJson
{
    public static string Responses(IEnumerable<(string Id, ItemAnswer Answer)> items)
    {
        var responses = new JsonArray();
        foreach (var (id, answer) in items)
        {
            var headers = new JsonObject();
            if (answer.Body != null)
            {
                headers["Content-Type"] = "application/json";
            }

            foreach (var header in answer.Headers ?? new Dictionary<string, string>())
            {
                headers[header.Key] = header.Value;
            }

            var response = new JsonObject { ["id"] = id, ["status"] = answer.Status, ["headers"] = headers };
            if (answer.Body != null)
            {
                response["body"] = JsonNode.Parse(answer.Body);
            }

            responses.Add(response);
        }

        return new JsonObject { ["responses"] = responses }.ToJsonString();
    }
}

/// <summary>
/// An in-memory profile store behind <see cref="BulkGraph"/>: list, get, create, update and delete positions, per
/// user segment ("/me", "/users/bob@contoso.com"). Thread-safe; what it answers can be overridden per call first.
/// </summary>
internal sealed class PositionStore
{
    private readonly object _gate = new();
    private readonly Dictionary<string, List<JsonObject>> _byUser = new(StringComparer.OrdinalIgnoreCase);
    private int _nextId;

    /// <summary>User segments that are one profile, as Graph knows them ("/users/adele@contoso.com" -> "/me").</summary>
    public Dictionary<string, string> Aliases { get; } = new(StringComparer.OrdinalIgnoreCase);

    private string Canonical(string user) => Aliases.TryGetValue(user, out var canonical) ? canonical : user;

    /// <summary>Answers a call before the store does, when it returns non-null (429s, failures, commits without answers).</summary>
    public Func<GraphCall, ItemAnswer?>? Before { get; set; }

    public int Count(string user)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(Canonical(user), out var list) ? list.Count : 0;
        }
    }

    public IReadOnlyList<JsonObject> Of(string user)
    {
        lock (_gate)
        {
            return _byUser.TryGetValue(Canonical(user), out var list) ? list.Select(p => (JsonObject)p.DeepClone()).ToList() : new List<JsonObject>();
        }
    }

    /// <summary>Stores a body as a new position of the user and returns it (what a committed POST does).</summary>
    public JsonObject Store(string user, string json)
    {
        lock (_gate)
        {
            var position = JsonNode.Parse(json)!.AsObject();
            position["id"] = "pos-" + (++_nextId);
            position["createdDateTime"] = DateTimeOffset.UtcNow.ToString("o");
            user = Canonical(user);
            if (!_byUser.TryGetValue(user, out var list))
            {
                _byUser[user] = list = new List<JsonObject>();
            }

            list.Add(position);
            return (JsonObject)position.DeepClone();
        }
    }

    public ItemAnswer Handle(GraphCall call)
    {
        var early = Before?.Invoke(call);
        if (early != null)
        {
            return early;
        }

        var path = call.Url.Split('?')[0];
        var marker = path.IndexOf("/profile/positions", StringComparison.Ordinal);
        if (marker < 0)
        {
            return ItemAnswer.Json(404, """{"error":{"code":"NotFound","message":"No such resource."}}""");
        }

        var user = Canonical(Uri.UnescapeDataString(path.Substring(0, marker)));
        var rest = path.Substring(marker + "/profile/positions".Length).TrimStart('/');
        lock (_gate)
        {
            if (!_byUser.TryGetValue(user, out var list))
            {
                _byUser[user] = list = new List<JsonObject>();
            }

            if (rest.Length == 0)
            {
                if (call.Method == "GET")
                {
                    return ItemAnswer.Json(200, new JsonObject { ["value"] = new JsonArray(list.Select(p => (JsonNode)p.DeepClone()).ToArray()) }.ToJsonString());
                }

                if (call.Method == "POST")
                {
                    var position = JsonNode.Parse(call.Body)!.AsObject();
                    position["id"] = "pos-" + (++_nextId);
                    position["createdDateTime"] = DateTimeOffset.UtcNow.ToString("o");
                    list.Add(position);
                    return ItemAnswer.Json(201, position.ToJsonString());
                }
            }

            var id = Uri.UnescapeDataString(rest);
            var found = list.FirstOrDefault(p => (string?)p["id"] == id);
            switch (call.Method)
            {
                case "GET":
                    return found == null ? NotFound() : ItemAnswer.Json(200, found.ToJsonString());
                case "PATCH":
                    if (found == null)
                    {
                        return NotFound();
                    }

                    foreach (var member in JsonNode.Parse(call.Body)!.AsObject())
                    {
                        found[member.Key] = member.Value?.DeepClone();
                    }

                    return ItemAnswer.Json(200, found.ToJsonString());
                case "DELETE":
                    if (found == null)
                    {
                        return NotFound();
                    }

                    list.Remove(found);
                    return new ItemAnswer(204);
            }
        }

        return NotFound();
    }

    private static ItemAnswer NotFound() => ItemAnswer.Json(404, """{"error":{"code":"itemNotFound","message":"Not found."}}""");
}

/// <summary>Connections for bulk tests: a loopback graph, the retry policy on a recording clock without jitter.</summary>
internal sealed class BulkHarness : IDisposable
{
    public const string Upn = "adele@contoso.com";
    public const string ObjectId = "6e1a1c9c-58a5-4b4f-8d0b-7d1c2f3e4a5b";

    private readonly List<ProfileGraphConnection> _connections = new();

    public BulkHarness()
    {
        Time = new RecordingTime(Waits);
        Token = TestTokens.Make(new
        {
            aud = "https://graph.microsoft.com",
            tid = "72f988bf-86f1-41af-91ab-2d7cd011db47",
            upn = Upn,
            oid = ObjectId,
            scp = "User.ReadWrite.All User.Read",
            appid = "14d82eec-204b-4c2f-b7e8-296a70dab67e",
            exp = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds(),
        });
    }

    /// <summary>Every retry wait, in the order they began (none is slept).</summary>
    public List<TimeSpan> Waits { get; } = new();

    public RecordingTime Time { get; }

    public string Token { get; }

    public BulkCounters Counters { get; } = new();

    public RecordedEvents Events { get; } = new();

    public List<TimeSpan> WaitsSnapshot()
    {
        lock (Waits)
        {
            return Waits.ToList();
        }
    }

    public async Task<ProfileGraphConnection> ConnectAsync(Uri graphEndpoint, HttpMessageHandler? finalHandler = null)
    {
        var connection = await ProfileGraphConnector.ConnectAsync(
            new ConnectRequest { AccessToken = Token, GraphEndpoint = graphEndpoint },
            CancellationToken.None,
            finalHandler,
            retry => { retry.Time = Time; retry.UseJitter = false; });
        _connections.Add(connection);
        return connection;
    }

    /// <summary>A session over a loopback graph; by default lingering 2 s, so envelopes fill or go out at Flush.</summary>
    public async Task<IProfilePositionService> OpenAsync(BulkGraph graph, int batchSize, int throttleLimit, TimeSpan? linger = null, int? maxRetries = null, TimeSpan? timeout = null)
    {
        graph.Clock = Time;
        var connection = await ConnectAsync(graph.BaseUri);
        return connection.OpenSession(new SessionOptions
        {
            BatchSize = batchSize,
            ThrottleLimit = throttleLimit,
            Linger = linger ?? TimeSpan.FromSeconds(2),
            MaxRetries = maxRetries,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
            Counters = Counters,
            Events = Events.Sink,
        });
    }

    public void Dispose()
    {
        foreach (var connection in _connections)
        {
            connection.Disconnect();
        }
    }

    public static PositionBody Body(string jobTitle = "Engineer", string company = "Contoso") =>
        PositionBody.FromInput(new Hashtable { ["detail"] = new Hashtable { ["jobTitle"] = jobTitle, ["company"] = new Hashtable { ["displayName"] = company } }, ["isCurrent"] = true });

    public static PositionBody Title(string jobTitle) => PositionBody.FromParameters(new Dictionary<string, object?> { ["JobTitle"] = jobTitle });

    /// <summary>Waits (without asserting on speed) until a condition holds; fails after a generous limit.</summary>
    public static async Task Eventually(Func<bool> condition, string what, int seconds = 10)
    {
        var limit = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > limit)
            {
                Assert.Fail("Timed out waiting until " + what + ".");
            }

            await Task.Delay(5);
        }
    }
}
