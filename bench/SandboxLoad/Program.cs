using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox;

// Usage: SandboxLoad [--clients 8] [--requests 20000] [--fill 100000] [--warmup <seconds, 10>] [--url http://127.0.0.1:port --pid <sandbox pid>]
// Without --url the sandbox runs in this process (no faults, no latency, logging off).
var settings = LoadSettings.Parse(args);
SandboxServer? server = null;
Uri baseUri;
if (settings.Url is null)
{
    server = await SandboxServer.StartAsync(new SandboxOptions { Port = 0, Seed = 1 });
    baseUri = server.BaseUri;
}
else
{
    baseUri = new Uri(settings.Url.TrimEnd('/') + "/");
}

using var http = new HttpClient(new SocketsHttpHandler
{
    MaxConnectionsPerServer = settings.Clients,
    PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
    UseProxy = false,
})
{
    BaseAddress = baseUri,
    Timeout = TimeSpan.FromSeconds(60),
};

Console.WriteLine($"Sandbox {baseUri} ({(server is null ? "external" : "in-process")}); {settings.Clients} clients, {settings.Requests} requests per phase; {Environment.ProcessorCount} cores");
await http.PostAsync("_sandbox/state/reset", null);
var users = JsonNode.Parse(await http.GetStringAsync("_sandbox/users"))!.AsArray().Select(user => user!["id"]!.GetValue<string>()).ToArray();
var tokens = new string[users.Length];
for (var index = 0; index < users.Length; index++)
{
    var token = JsonNode.Parse(await http.GetStringAsync($"_sandbox/token?user={users[index]}&scopes=User.ReadWrite.All"))!;
    tokens[index] = token["access_token"]!.GetValue<string>();
}

const string ExampleBody = """
{"detail":{"company":{"displayName":"Adventureworks Ltd.","department":"Consulting","officeLocation":"AW23/344","address":{"type":"business","street":"123 Patriachy Ponds","city":"Moscow","countryOrRegion":"Russian Federation","postalCode":"RU-34621"},"webUrl":"https://www.adventureworks.com"},"jobTitle":"Senior Product Branding Manager II","role":"consulting"},"isCurrent":true}
""";

// Ids created in the first phase, per user, for the read phases.
var created = users.Select(_ => new List<string>()).ToArray();

async Task<bool> CreateAsync(int client, int n)
{
    var user = (client + n) % users.Length;
    using var request = new HttpRequestMessage(HttpMethod.Post, $"beta/users/{users[user]}/profile/positions")
    {
        Content = new StringContent(ExampleBody, Encoding.UTF8, "application/json"),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[user]);
    using var response = await http.SendAsync(request);
    var text = await response.Content.ReadAsStringAsync();
    if ((int)response.StatusCode != 201)
    {
        return false;
    }

    // The id is the first member; cutting it out keeps the load client cheap (it shares the CPU with the sandbox).
    var start = text.IndexOf("\"id\":\"", StringComparison.Ordinal) + 6;
    var id = text[start..text.IndexOf('"', start)];
    lock (created[user])
    {
        created[user].Add(id);
    }

    return true;
}

async Task<bool> ReadAsync(int client, int n)
{
    var user = (client + n) % users.Length;
    string path;
    lock (created[user])
    {
        // Alternate reading one position and a page of ten.
        path = n % 2 == 0 && created[user].Count > 0
            ? $"beta/users/{users[user]}/profile/positions/{created[user][n % created[user].Count]}"
            : $"beta/users/{users[user]}/profile/positions?$top=10";
    }

    using var request = new HttpRequestMessage(HttpMethod.Get, path);
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[user]);
    using var response = await http.SendAsync(request);
    await response.Content.ReadAsByteArrayAsync();
    return (int)response.StatusCode == 200;
}

// Warm-up so JIT tiering and connection setup do not count: a fresh process needs several seconds of load
// before its hot paths reach optimised code. The warm-up positions are removed by the reset below.
var warmup = Stopwatch.StartNew();
while (warmup.Elapsed.TotalSeconds < settings.WarmupSeconds)
{
    await RunAsync("warm-up", 2_000, (client, n) => n % 2 == 0 ? CreateAsync(client, n) : ReadAsync(client, n), quiet: true);
}

await http.PostAsync("_sandbox/state/reset", null);
foreach (var ids in created)
{
    ids.Clear();
}

var creates = await RunAsync("creates", settings.Requests, CreateAsync);
var reads = await RunAsync("reads", settings.Requests, ReadAsync);
var mixed = await RunAsync("mixed 50/50", settings.Requests, (client, n) => n % 2 == 0 ? CreateAsync(client, n) : ReadAsync(client, n));

// Fill up with $batch (20 creates per envelope) to the target count, then measure memory.
var health = JsonNode.Parse(await http.GetStringAsync("_sandbox/health"))!;
var stored = health["positions"]!.GetValue<int>();
var fillWatch = Stopwatch.StartNew();
var heapBeforeFill = server is null ? 0 : FullGcHeapBytes();
var remaining = Math.Max(0, settings.Fill - stored);
var batches = (remaining + 19) / 20;
await RunAsync("fill ($batch x20)", batches, async (client, n) =>
{
    var user = (client + n) % users.Length;
    var count = Math.Min(20, remaining - (n * 20));
    var items = new JsonArray();
    for (var item = 0; item < count; item++)
    {
        items.Add(new JsonObject
        {
            ["id"] = item.ToString(CultureInfo.InvariantCulture),
            ["method"] = "POST",
            ["url"] = $"/users/{users[user]}/profile/positions",
            ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
            ["body"] = JsonNode.Parse(ExampleBody),
        });
    }

    using var request = new HttpRequestMessage(HttpMethod.Post, "beta/$batch")
    {
        Content = new StringContent(new JsonObject { ["requests"] = items }.ToJsonString(), Encoding.UTF8, "application/json"),
    };
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens[user]);
    using var response = await http.SendAsync(request);
    await response.Content.ReadAsByteArrayAsync();
    return (int)response.StatusCode == 200;
}, quiet: false, unit: "batches");
fillWatch.Stop();

health = JsonNode.Parse(await http.GetStringAsync("_sandbox/health"))!;
Console.WriteLine($"Stored positions: {health["positions"]}");
var readsFull = await RunAsync("reads with store full", settings.Requests, ReadAsync);

if (server is not null)
{
    var heap = FullGcHeapBytes();
    using var self = Process.GetCurrentProcess();
    self.Refresh();
    var perPosition = remaining > 0 ? (heap - heapBeforeFill) / (double)remaining : 0;
    Console.WriteLine($"Memory (in-process, sandbox + this load client, after a full GC): managed heap {heap / 1048576.0:F0} MiB " +
        $"(~{perPosition:F0} bytes per stored position), working set {self.WorkingSet64 / 1048576.0:F0} MiB, private {self.PrivateMemorySize64 / 1048576.0:F0} MiB");
}
else if (settings.Pid is { } pid)
{
    using var sandbox = Process.GetProcessById(pid);
    Console.WriteLine($"Memory (sandbox process {pid}): working set {sandbox.WorkingSet64 / 1048576.0:F0} MiB, private {sandbox.PrivateMemorySize64 / 1048576.0:F0} MiB");
}

Console.WriteLine();
Console.WriteLine($"SUMMARY creates/s {creates:F0}; reads/s {reads:F0}; mixed req/s {mixed:F0}; reads/s with {health["positions"]} stored {readsFull:F0}");

if (server is not null)
{
    await server.StopAsync();
}

async Task<double> RunAsync(string name, int total, Func<int, int, Task<bool>> operation, bool quiet = false, string unit = "requests")
{
    var next = -1;
    var failures = 0;
    var latencies = new double[total];
    var cpuBefore = settings.Pid is { } pid ? ProcessCpu(pid) : null;
    var watch = Stopwatch.StartNew();
    var workers = Enumerable.Range(0, settings.Clients).Select(client => Task.Run(async () =>
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
    var rate = total / watch.Elapsed.TotalSeconds;
    var cpuNote = string.Empty;
    if (settings.Pid is { } sandboxPid && cpuBefore is { } before && ProcessCpu(sandboxPid) is { } after)
    {
        cpuNote = $"  sandbox CPU {(after - before).TotalMilliseconds * 1000 / Math.Max(1, total):F0} us/{unit[..^1]} ({(after - before).TotalSeconds / watch.Elapsed.TotalSeconds * 100 / Environment.ProcessorCount:F0}% of the machine)";
    }

    if (!quiet)
    {
        Array.Sort(latencies);
        var p50 = total == 0 ? 0 : latencies[total / 2];
        var p99 = total == 0 ? 0 : latencies[Math.Min(total - 1, (int)(total * 0.99))];
        Console.WriteLine($"{name,-24} {total,7} {unit} in {watch.Elapsed.TotalSeconds,6:F2} s = {rate,8:F0}/s  p50 {p50:F2} ms  p99 {p99:F2} ms  failures {failures}{cpuNote}");
    }

    return rate;
}

static long FullGcHeapBytes()
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(false);
}

// User plus system CPU time of the sandbox process, when it runs apart from this client.
static TimeSpan? ProcessCpu(int pid)
{
    try
    {
        using var process = Process.GetProcessById(pid);
        return process.TotalProcessorTime;
    }
    catch (Exception error) when (error is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
    {
        return null;
    }
}

internal sealed record LoadSettings(int Clients, int Requests, int Fill, string? Url, int? Pid, int WarmupSeconds)
{
    public static LoadSettings Parse(string[] args)
    {
        int clients = 8, requests = 20_000, fill = 100_000, warmup = 10;
        string? url = null;
        int? pid = null;
        for (var index = 0; index < args.Length; index++)
        {
            var value = index + 1 < args.Length ? args[index + 1] : throw new ArgumentException($"Option '{args[index]}' needs a value.");
            switch (args[index])
            {
                case "--clients": clients = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--requests": requests = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--fill": fill = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--url": url = value; break;
                case "--pid": pid = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option '{args[index]}'.");
            }

            index++;
        }

        return new LoadSettings(clients, requests, fill, url, pid, warmup);
    }
}
