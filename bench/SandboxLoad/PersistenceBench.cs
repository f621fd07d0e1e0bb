using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox;

/// <summary>
/// What --data costs: creates/s in memory and with the store (both durabilities) at 1,000 and 100,000 stored
/// positions, the start time with the store full, and kill -9 runs that count acknowledged creates lost.
/// </summary>
internal static class PersistenceBench
{
    private static readonly int[] StoredCounts = [1_000, 100_000];

    private enum Mode
    {
        Memory,
        DataOs,
        DataFsync,
    }

    public static async Task RunAsync(LoadSettings settings)
    {
        var folder = Path.Combine(Path.GetTempPath(), $"pp-sandbox-bench-{Environment.ProcessId}");
        Directory.CreateDirectory(folder);
        try
        {
            Console.WriteLine();
            Console.WriteLine($"Persistence: {settings.Clients} clients, {settings.PersistenceCreates} creates per measure, {Rounds} rounds taking turns; sandboxes in this process; stores in {folder}");
            await WarmUpAsync(settings, folder);
            var measured = new Dictionary<(int Stored, Mode Mode), List<PhaseResult>>();
            var starts = new List<string>();
            foreach (var stored in StoredCounts)
            {
                // The three sandboxes run side by side and take turns, so a change in the machine's load hits all alike.
                var modes = Enum.GetValues<Mode>();
                var servers = new List<(Mode Mode, SandboxOptions Options, SandboxServer Server, LoadClient Load, List<PhaseResult> Runs)>();
                try
                {
                    foreach (var mode in modes)
                    {
                        var options = Options(mode, mode == Mode.Memory ? null : Path.Combine(folder, $"{mode}-{stored}.json"));
                        var server = await SandboxServer.StartAsync(options);
                        var load = new LoadClient(server.BaseUri, settings.Clients);
                        servers.Add((mode, options, server, load, []));
                        await load.InitializeAsync(reset: false);
                        await load.FillAsync(stored, quiet: true);
                    }

                    for (var run = 0; run < Rounds; run++)
                    {
                        foreach (var (mode, _, _, load, runs) in servers)
                        {
                            runs.Add(await load.RunAsync($"creates {Name(mode)} @{stored}", settings.PersistenceCreates, load.CreateAsync, quiet: true));
                        }
                    }

                    foreach (var (mode, _, _, _, runs) in servers)
                    {
                        measured[(stored, mode)] = runs;
                        Console.WriteLine($"  {Name(mode),-16} {stored,7:N0} stored: {string.Join(", ", runs.Select(result => result.Rate.ToString("F0", CultureInfo.InvariantCulture)))} creates/s; " +
                            $"CPU {string.Join(", ", runs.Select(result => CpuPerCreate(result).ToString("F0", CultureInfo.InvariantCulture)))} us/create");
                    }
                }
                finally
                {
                    foreach (var (_, _, server, load, _) in servers)
                    {
                        load.Dispose();
                        await server.StopAsync();
                    }
                }

                foreach (var (mode, options, _, _, _) in servers.Where(entry => entry.Options.DataFile is not null && stored == StoredCounts[^1]))
                {
                    // A restart loads every position from the store.
                    var watch = Stopwatch.StartNew();
                    await using var restarted = await SandboxServer.StartAsync(options);
                    watch.Stop();
                    using var client = new LoadClient(restarted.BaseUri, 1);
                    starts.Add($"{Name(mode)}: start with {await client.StoredAsync():N0} positions stored {watch.Elapsed.TotalSeconds:F1} s, store {new FileInfo(Path.ChangeExtension(options.DataFile!, ".db")).Length / 1048576.0:F0} MiB");
                }
            }

            var kills = await KillRunsAsync(settings, folder);

            Console.WriteLine();
            // Medians; "of in memory" is the median of each round's ratio, which the machine's load disturbs least.
            Console.WriteLine("Creates/s (median), its share of in memory (median of the rounds' ratios), CPU of this process (sandbox + load client) per create (median):");
            Console.WriteLine("| stored positions | in memory | --data (os) | --data (fsync) |");
            Console.WriteLine("|---:|---:|---:|---:|");
            foreach (var stored in StoredCounts)
            {
                string Cell(Mode mode) => $"{Median(measured[(stored, mode)].Select(result => result.Rate)):F0}/s" +
                    (mode == Mode.Memory ? string.Empty : $" = {Share(measured, stored, mode) * 100:F0} %") +
                    $", {Median(measured[(stored, mode)].Select(CpuPerCreate)):F0} us";
                Console.WriteLine($"| {stored:N0} | {Cell(Mode.Memory)} | {Cell(Mode.DataOs)} | {Cell(Mode.DataFsync)} |");
            }

            Console.WriteLine();
            foreach (var line in starts)
            {
                Console.WriteLine(line);
            }

            Console.WriteLine();
            Console.WriteLine("| kill -9 run | acknowledged creates | stored after restart | acknowledged lost |");
            Console.WriteLine("|---:|---:|---:|---:|");
            foreach (var (run, acknowledged, storedAfter, lost) in kills)
            {
                Console.WriteLine($"| {run} | {acknowledged} | {storedAfter} | {lost} |");
            }

            Console.WriteLine();
            Console.WriteLine($"SUMMARY persistence: --data (os) {string.Join(", ", StoredCounts.Select(stored => $"{Share(measured, stored, Mode.DataOs) * 100:F0} % of in memory at {stored:N0}"))}; " +
                $"kill -9: {kills.Count} runs, {kills.Sum(kill => kill.Acknowledged)} acknowledged, {kills.Sum(kill => kill.Lost)} lost");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private const int Rounds = 5;

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static double CpuPerCreate(PhaseResult result) => result.ProcessCpu.TotalMicroseconds / Math.Max(1, result.Total);

    private static double Share(Dictionary<(int Stored, Mode Mode), List<PhaseResult>> measured, int stored, Mode mode) =>
        Median(measured[(stored, mode)].Zip(measured[(stored, Mode.Memory)], (data, memory) => data.Rate / memory.Rate));

    private static SandboxOptions Options(Mode mode, string? dataFile) => new()
    {
        Port = 0,
        Seed = 1,
        DataFile = dataFile,
        Durability = mode == Mode.DataFsync ? SandboxDurability.Fsync : SandboxDurability.Os,
    };

    private static string Name(Mode mode) => mode switch
    {
        Mode.Memory => "in memory",
        Mode.DataOs => "--data (os)",
        _ => "--data (fsync)",
    };

    // JIT tiering needs seconds of load; warm the create path of memory and store alike before anything counts.
    private static async Task WarmUpAsync(LoadSettings settings, string folder)
    {
        foreach (var mode in new[] { Mode.Memory, Mode.DataOs })
        {
            await using var server = await SandboxServer.StartAsync(Options(mode, mode == Mode.Memory ? null : Path.Combine(folder, "warm-up.json")));
            using var load = new LoadClient(server.BaseUri, settings.Clients);
            await load.InitializeAsync(reset: false);
            var watch = Stopwatch.StartNew();
            while (watch.Elapsed.TotalSeconds < Math.Max(1, settings.WarmupSeconds / 2.0))
            {
                await load.RunAsync("warm-up", 2_000, load.CreateAsync, quiet: true);
            }
        }
    }

    // Each run streams creates into a sandbox process, kills it (SIGKILL) at a random moment, starts it again on the
    // same store and counts the acknowledged creates that are missing; the restarted process streams the next run.
    private static async Task<List<(int Run, int Acknowledged, int Stored, int Lost)>> KillRunsAsync(LoadSettings settings, string folder)
    {
        var dataFile = Path.Combine(folder, "kill.json");
        var random = new Random(11);
        var results = new List<(int, int, int, int)>();
        var sandbox = await SandboxChild.StartAsync(dataFile);
        try
        {
            var before = new HashSet<string>(StringComparer.Ordinal);
            for (var run = 1; run <= settings.KillRuns; run++)
            {
                var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
                using (var load = new LoadClient(sandbox.BaseUri, settings.Clients))
                {
                    await load.InitializeAsync(reset: false);
                    using var stop = new CancellationTokenSource();
                    var writers = Enumerable.Range(0, settings.Clients).Select(client => Task.Run(async () =>
                    {
                        for (var n = 0; !stop.IsCancellationRequested; n++)
                        {
                            try
                            {
                                if (await load.CreateIdAsync(client, n) is { } id)
                                {
                                    acknowledged.Add(id);
                                }
                            }
                            catch (Exception error) when (error is HttpRequestException or IOException or TaskCanceledException)
                            {
                                return;
                            }
                        }
                    })).ToList();
                    await Task.Delay(random.Next(500, 2_500));
                    sandbox.Kill();
                    await stop.CancelAsync();
                    await Task.WhenAll(writers);
                }

                sandbox.Dispose();
                sandbox = await SandboxChild.StartAsync(dataFile);
                using var check = new LoadClient(sandbox.BaseUri, 1);
                var stored = JsonNode.Parse(await check.Http.GetStringAsync("_sandbox/state"))!["positions"]!.AsObject()
                    .SelectMany(user => user.Value!.AsArray()).Select(position => position!["id"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
                var lost = acknowledged.Count(id => !stored.Contains(id));
                var leftovers = Directory.GetFiles(folder, "kill*").Select(Path.GetFileName).Where(name => name is not ("kill.json" or "kill.db" or "kill.db-wal")).ToList();
                if (leftovers.Count > 0)
                {
                    Console.WriteLine($"  kill run {run}: files left beside the store: {string.Join(", ", leftovers)}");
                }

                results.Add((run, acknowledged.Count, stored.Count - before.Count, lost));
                Console.WriteLine($"  kill -9 run {run}: {acknowledged.Count} acknowledged, {stored.Count - before.Count} stored, {lost} lost");
                before = stored;
            }
        }
        finally
        {
            sandbox.Dispose();
        }

        return results;
    }

    /// <summary>The sandbox as its own process (<c>dotnet ProfilePositions.Sandbox.dll</c>), so it can be killed.</summary>
    private sealed class SandboxChild : IDisposable
    {
        private readonly Process _process;

        private SandboxChild(Process process, Uri baseUri)
        {
            _process = process;
            BaseUri = baseUri;
        }

        public Uri BaseUri { get; }

        public static async Task<SandboxChild> StartAsync(string dataFile)
        {
            var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var arg in new[] { Path.Combine(AppContext.BaseDirectory, "ProfilePositions.Sandbox.dll"), "--port", "0", "--data", dataFile })
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start.");
            process.ErrorDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("Now listening on: ", StringComparison.Ordinal))
                {
                    // Keep draining the output so the child never blocks on a full pipe.
                    _ = process.StandardOutput.ReadToEndAsync();
                    return new SandboxChild(process, new Uri(line["Now listening on: ".Length..].Trim() + "/"));
                }
            }

            process.Kill();
            throw new InvalidOperationException($"The sandbox ended before listening (exit code {process.ExitCode}).");
        }

        /// <summary>SIGKILL: no shutdown code runs, as in a crash.</summary>
        public void Kill()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
            }

            _process.WaitForExit();
        }

        public void Dispose()
        {
            Kill();
            _process.Dispose();
        }
    }
}
