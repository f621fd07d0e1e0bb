using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

/// <summary>The figures of one phase: requests per second and latency percentiles.</summary>
internal sealed record PhaseResult(int Total, double Seconds, double Rate, double P50, double P99, int Failures, TimeSpan ProcessCpu);

/// <summary>
/// Drives one sandbox over HTTP with a fixed number of concurrent clients: creates, reads and $batch fills, each
/// user with its own User.ReadWrite.All token. Kept cheap, because it shares the CPU with the sandbox.
/// </summary>
internal sealed class LoadClient : IDisposable
{
    public const string ExampleBody = """
        {"detail":{"company":{"displayName":"Adventureworks Ltd.","department":"Consulting","officeLocation":"AW23/344","address":{"type":"business","street":"123 Patriachy Ponds","city":"Moscow","countryOrRegion":"Russian Federation","postalCode":"RU-34621"},"webUrl":"https://www.adventureworks.com"},"jobTitle":"Senior Product Branding Manager II","role":"consulting"},"isCurrent":true}
        """;

    private readonly HttpClient _http;
    private string[] _users = [];
    private string[] _tokens = [];
    private List<string>[] _created = [];

    public LoadClient(Uri baseUri, int clients)
    {
        Clients = clients;
        _http = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = clients,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        })
        {
            BaseAddress = baseUri,
            Timeout = TimeSpan.FromSeconds(60),
        };
    }

    public int Clients { get; }

    public HttpClient Http => _http;

    /// <summary>Sandbox process id for CPU figures of a sandbox that runs apart; null when it runs in this process.</summary>
    public int? SandboxPid { get; init; }

    /// <summary>Reads the users and mints their tokens; with <paramref name="reset"/> the sandbox goes back to its seed first.</summary>
    public async Task InitializeAsync(bool reset = true)
    {
        if (reset)
        {
            await ResetAsync();
        }

        _users = JsonNode.Parse(await _http.GetStringAsync("_sandbox/users"))!.AsArray().Select(user => user!["id"]!.GetValue<string>()).ToArray();
        _tokens = new string[_users.Length];
        for (var index = 0; index < _users.Length; index++)
        {
            var token = JsonNode.Parse(await _http.GetStringAsync($"_sandbox/token?user={_users[index]}&scopes=User.ReadWrite.All"))!;
            _tokens[index] = token["access_token"]!.GetValue<string>();
        }

        _created = _users.Select(_ => new List<string>()).ToArray();
    }

    /// <summary>Back to the seed; forgets the ids created so far.</summary>
    public async Task ResetAsync()
    {
        using var response = await _http.PostAsync("_sandbox/state/reset", null);
        response.EnsureSuccessStatusCode();
        foreach (var ids in _created)
        {
            ids.Clear();
        }
    }

    public async Task<int> StoredAsync() => JsonNode.Parse(await _http.GetStringAsync("_sandbox/health"))!["positions"]!.GetValue<int>();

    /// <summary>One create for the user that <paramref name="client"/> and <paramref name="n"/> pick; true when it got 201.</summary>
    public async Task<bool> CreateAsync(int client, int n) => await CreateIdAsync(client, n) is not null;

    /// <summary>As <see cref="CreateAsync"/>, returning the new id (null when the create failed).</summary>
    public async Task<string?> CreateIdAsync(int client, int n)
    {
        var user = (client + n) % _users.Length;
        using var request = new HttpRequestMessage(HttpMethod.Post, $"beta/users/{_users[user]}/profile/positions")
        {
            Content = new StringContent(ExampleBody, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[user]);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if ((int)response.StatusCode != 201)
        {
            return null;
        }

        // The id is the first member; cutting it out keeps the load client cheap.
        var start = text.IndexOf("\"id\":\"", StringComparison.Ordinal) + 6;
        var id = text[start..text.IndexOf('"', start)];
        lock (_created[user])
        {
            _created[user].Add(id);
        }

        return id;
    }

    public async Task<bool> ReadAsync(int client, int n)
    {
        var user = (client + n) % _users.Length;
        string path;
        lock (_created[user])
        {
            // Alternate reading one position and a page of ten.
            path = n % 2 == 0 && _created[user].Count > 0
                ? $"beta/users/{_users[user]}/profile/positions/{_created[user][n % _created[user].Count]}"
                : $"beta/users/{_users[user]}/profile/positions?$top=10";
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[user]);
        using var response = await _http.SendAsync(request);
        await response.Content.ReadAsByteArrayAsync();
        return (int)response.StatusCode == 200;
    }

    /// <summary>Creates positions with $batch (20 creates per envelope) until the sandbox holds <paramref name="target"/>.</summary>
    public async Task<PhaseResult> FillAsync(int target, bool quiet = false)
    {
        var remaining = Math.Max(0, target - await StoredAsync());
        var batches = (remaining + 19) / 20;
        return await RunAsync("fill ($batch x20)", batches, async (client, n) =>
        {
            var user = (client + n) % _users.Length;
            var count = Math.Min(20, remaining - (n * 20));
            var items = new JsonArray();
            for (var item = 0; item < count; item++)
            {
                items.Add(new JsonObject
                {
                    ["id"] = item.ToString(CultureInfo.InvariantCulture),
                    ["method"] = "POST",
                    ["url"] = $"/users/{_users[user]}/profile/positions",
                    ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
                    ["body"] = JsonNode.Parse(ExampleBody),
                });
            }

            using var request = new HttpRequestMessage(HttpMethod.Post, "beta/$batch")
            {
                Content = new StringContent(new JsonObject { ["requests"] = items }.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[user]);
            using var response = await _http.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            return (int)response.StatusCode == 200;
        }, quiet, unit: "batches");
    }

    /// <summary>Runs <paramref name="total"/> operations on <see cref="Clients"/> concurrent workers and prints one line unless quiet.</summary>
    public async Task<PhaseResult> RunAsync(string name, int total, Func<int, int, Task<bool>> operation, bool quiet = false, string unit = "requests")
    {
        var next = -1;
        var failures = 0;
        var latencies = new double[total];
        var cpuBefore = ProcessCpu();
        var watch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, Clients).Select(client => Task.Run(async () =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < total)
            {
                var started = Stopwatch.GetTimestamp();
                if (!await operation(client, n))
                {
                    Interlocked.Increment(ref failures);
                }

                latencies[n] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        watch.Stop();
        var cpu = ProcessCpu() - cpuBefore;
        Array.Sort(latencies);
        var result = new PhaseResult(
            total,
            watch.Elapsed.TotalSeconds,
            total / watch.Elapsed.TotalSeconds,
            total == 0 ? 0 : latencies[total / 2],
            total == 0 ? 0 : latencies[Math.Min(total - 1, (int)(total * 0.99))],
            failures,
            cpu);
        if (!quiet)
        {
            var cpuNote = SandboxPid is null
                ? string.Empty
                : $"  sandbox CPU {cpu.TotalMilliseconds * 1000 / Math.Max(1, total):F0} us/{unit[..^1]} ({cpu.TotalSeconds / watch.Elapsed.TotalSeconds * 100 / Environment.ProcessorCount:F0}% of the machine)";
            Console.WriteLine($"{name,-24} {total,7} {unit} in {result.Seconds,6:F2} s = {result.Rate,8:F0}/s  p50 {result.P50:F2} ms  p99 {result.P99:F2} ms  failures {failures}{cpuNote}");
        }

        return result;
    }

    public void Dispose() => _http.Dispose();

    // User plus system CPU time of the sandbox process when it runs apart from this client, else of this process.
    private TimeSpan ProcessCpu()
    {
        try
        {
            using var process = SandboxPid is { } pid ? Process.GetProcessById(pid) : Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            return TimeSpan.Zero;
        }
    }
}
