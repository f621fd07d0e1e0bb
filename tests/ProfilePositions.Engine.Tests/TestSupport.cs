using System.Collections;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ProfilePositions.Engine.Tests;

/// <summary>Makes unsigned JWTs with the claims a test needs (the engine never validates signatures).</summary>
internal static class TestTokens
{
    public static string Make(object payload)
    {
        static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return Encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Encode(JsonSerializer.Serialize(payload)) + "." + "c2lnbmF0dXJlLW5vdC1jaGVja2VkLWJ5LXRoZS1lbmdpbmU";
    }

    public static string Delegated(string upn = "adele@contoso.com", string scp = "User.ReadWrite User.Read", int lifetimeSeconds = 3600) => Make(new
    {
        aud = "https://graph.microsoft.com",
        tid = "72f988bf-86f1-41af-91ab-2d7cd011db47",
        upn,
        scp,
        appid = "14d82eec-204b-4c2f-b7e8-296a70dab67e",
        exp = DateTimeOffset.UtcNow.AddSeconds(lifetimeSeconds).ToUnixTimeSeconds(),
    });
}

/// <summary>Compares JSON texts by structure and member order (whitespace ignored).</summary>
internal static class Json
{
    public static string Canonical(string json)
    {
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement);
    }

    public static void Equal(string expected, string actual) => Assert.Equal(Canonical(expected), Canonical(actual));
}

internal sealed record RecordedRequest(string Method, string RawUrl, IReadOnlyDictionary<string, string> Headers, string Body);

internal sealed record CannedResponse(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null);

/// <summary>A small Graph stand-in on 127.0.0.1 that records every request and answers from a script.</summary>
internal sealed class LoopbackGraph : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Func<RecordedRequest, CannedResponse> _respond;
    private readonly Task _loop;

    public LoopbackGraph(Func<RecordedRequest, CannedResponse> respond)
    {
        _respond = respond;
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}");

    public List<RecordedRequest> Requests { get; } = new();

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

            var recorded = new RecordedRequest(context.Request.HttpMethod, context.Request.RawUrl ?? string.Empty, headers, body);
            lock (Requests)
            {
                Requests.Add(recorded);
            }

            var answer = _respond(recorded);
            context.Response.StatusCode = answer.Status;
            context.Response.Headers["request-id"] = "rid-" + Requests.Count;
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

/// <summary>An innermost handler for tests where only the request's shape matters.</summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, HttpResponseMessage>> _script = new();

    public List<(HttpRequestMessage Request, string? Body)> Seen { get; } = new();

    public ScriptedHandler Then(int status, string? body = null, Action<HttpResponseMessage>? configure = null)
    {
        _script.Enqueue(request =>
        {
            var response = new HttpResponseMessage((HttpStatusCode)status) { RequestMessage = request };
            if (body != null)
            {
                response.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            configure?.Invoke(response);
            return response;
        });
        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content == null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Seen.Add((request, body));
        var next = _script.Count > 0 ? _script.Dequeue() : (r => new HttpResponseMessage(HttpStatusCode.InternalServerError) { RequestMessage = r });
        return next(request);
    }
}

[CollectionDefinition("Session", DisableParallelization = true)]
public sealed class SessionCollection
{
}

/// <summary>A clock whose waits end at once, are recorded, and move its time on, so retry tests never sleep.</summary>
internal sealed class RecordingTime(List<TimeSpan> waits) : TimeProvider
{
    private long _skipped;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _skipped));

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            lock (waits)
            {
                waits.Add(dueTime);
            }

            Interlocked.Add(ref _skipped, dueTime.Ticks);

            ThreadPool.QueueUserWorkItem(_ => callback(state));
        }

        return new Stopped();
    }

    private sealed class Stopped : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => default;
    }
}

/// <summary>An event sink whose lines a test reads.</summary>
internal sealed class RecordedEvents
{
    private readonly List<string> _lines = new();

    public EngineEvents Sink { get; } = new();

    public List<string> Lines
    {
        get
        {
            while (Sink.TryTake(out var engineEvent))
            {
                _lines.Add(engineEvent.Text);
            }

            return _lines;
        }
    }
}
