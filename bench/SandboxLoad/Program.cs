using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox;

// Usage: SandboxLoad [--clients 8] [--requests 20000] [--fill 100000] [--warmup <seconds, 10>] [--url http://127.0.0.1:port --pid <sandbox pid>]
//                    [--persistence-creates 10000] [--kill-runs 5] [--only base|persistence]
// Without --url the sandbox runs in this process (no faults, no latency, logging off). The persistence part compares
// creates/s in memory and with --data (os and fsync durability) at 1,000 and 100,000 stored positions, and counts
// acknowledged creates lost when a sandbox process is killed (kill -9) during a stream of creates. Five rounds take
// turns between the modes; medians are reported.
var settings = LoadSettings.Parse(args);
if (settings.Only != "persistence")
{
    await RunBaseAsync();
}

if (settings.Only != "base" && settings.Url is null)
{
    await PersistenceBench.RunAsync(settings);
}

async Task RunBaseAsync()
{
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

    using var load = new LoadClient(baseUri, settings.Clients) { SandboxPid = settings.Pid };
    Console.WriteLine($"Sandbox {baseUri} ({(server is null ? "external" : "in-process")}); {settings.Clients} clients, {settings.Requests} requests per phase; {Environment.ProcessorCount} cores");
    await load.InitializeAsync();

    // Warm-up so JIT tiering and connection setup do not count: a fresh process needs several seconds of load
    // before its hot paths reach optimised code. The warm-up positions are removed by the reset below.
    var warmup = Stopwatch.StartNew();
    while (warmup.Elapsed.TotalSeconds < settings.WarmupSeconds)
    {
        await load.RunAsync("warm-up", 2_000, (client, n) => n % 2 == 0 ? load.CreateAsync(client, n) : load.ReadAsync(client, n), quiet: true);
    }

    await load.ResetAsync();
    var creates = await load.RunAsync("creates", settings.Requests, load.CreateAsync);
    var reads = await load.RunAsync("reads", settings.Requests, load.ReadAsync);
    var mixed = await load.RunAsync("mixed 50/50", settings.Requests, (client, n) => n % 2 == 0 ? load.CreateAsync(client, n) : load.ReadAsync(client, n));

    // Fill up with $batch (20 creates per envelope) to the target count, then measure memory.
    var heapBeforeFill = server is null ? 0 : FullGcHeapBytes();
    var remaining = Math.Max(0, settings.Fill - await load.StoredAsync());
    await load.FillAsync(settings.Fill);
    var stored = await load.StoredAsync();
    Console.WriteLine($"Stored positions: {stored}");
    var readsFull = await load.RunAsync("reads with store full", settings.Requests, load.ReadAsync);

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
    Console.WriteLine($"SUMMARY creates/s {creates.Rate:F0}; reads/s {reads.Rate:F0}; mixed req/s {mixed.Rate:F0}; reads/s with {stored} stored {readsFull.Rate:F0}");

    if (server is not null)
    {
        await server.StopAsync();
    }
}

static long FullGcHeapBytes()
{
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    GC.WaitForPendingFinalizers();
    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    return GC.GetTotalMemory(false);
}

internal sealed record LoadSettings(int Clients, int Requests, int Fill, string? Url, int? Pid, int WarmupSeconds, int PersistenceCreates, int KillRuns, string? Only)
{
    public static LoadSettings Parse(string[] args)
    {
        int clients = 8, requests = 20_000, fill = 100_000, warmup = 10, persistenceCreates = 10_000, killRuns = 5;
        string? url = null, only = null;
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
                case "--persistence-creates": persistenceCreates = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--kill-runs": killRuns = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--only": only = value is "base" or "persistence" ? value : throw new ArgumentException("--only takes 'base' or 'persistence'."); break;
                default: throw new ArgumentException($"Unknown option '{args[index]}'.");
            }

            index++;
        }

        return new LoadSettings(clients, requests, fill, url, pid, warmup, persistenceCreates, killRuns, only);
    }
}
