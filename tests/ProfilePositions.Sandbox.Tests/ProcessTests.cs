using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.Tests.Infrastructure;

namespace ProfilePositions.Sandbox.Tests;

/// <summary>The sandbox as a real process: start-up line, bad arguments, and write-through persistence across a kill.</summary>
public sealed class ProcessTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "pp-sandbox-tests", Guid.NewGuid().ToString("N"));

    public ProcessTests()
    {
        Directory.CreateDirectory(folder);
    }

    [Fact]
    public async Task Process_prints_the_listening_line_and_serves_health()
    {
        using var sandbox = await SandboxProcess.StartAsync("--port", "0", "--seed", "42");
        Assert.Matches(SandboxProcess.ListeningPattern(), sandbox.ListeningLine);
        Assert.NotEqual(0, sandbox.BaseUri.Port);

        using var client = new SandboxClient(sandbox.BaseUri);
        var health = await client.HealthAsync();
        Assert.Equal("ok", health["status"]!.GetValue<string>());
        Assert.Equal(42, health["seed"]!.GetValue<int>());
        Assert.True(health["users"]!.GetValue<int>() >= 6);
    }

    [Fact]
    public async Task Process_rejects_bad_arguments_with_a_failing_exit_code()
    {
        using var process = System.Diagnostics.Process.Start(SandboxProcess.StartInfo("--port", "not-a-port"))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, process.ExitCode);
        Assert.DoesNotContain("Now listening on:", await stdout, StringComparison.Ordinal);
        Assert.Contains("port", (await stderr) + (await stdout), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Help_prints_the_options_and_exits_without_listening()
    {
        using var process = System.Diagnostics.Process.Start(SandboxProcess.StartInfo("--help"))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(0, process.ExitCode);
        var text = await stdout;
        Assert.Contains("--throttle <n>/<seconds>", text, StringComparison.Ordinal);
        Assert.Contains("--latency-ms", text, StringComparison.Ordinal);
        // The text explains the "Now listening on:" line; a sandbox that listened would print it with a real port.
        Assert.DoesNotMatch(@"Now listening on: https?://127\.0\.0\.1:\d+", text);
        Assert.Equal(string.Empty, await stderr);
    }

    [Fact]
    public async Task Parent_pid_stops_the_sandbox_when_its_parent_dies()
    {
        // Another sandbox plays the parent: a process this test can kill like a crashed test run.
        using var parent = await SandboxProcess.StartAsync("--port", "0");
        using var child = await SandboxProcess.StartAsync("--port", "0", "--parent-pid", parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using (var client = new SandboxClient(child.BaseUri))
        {
            var health = await client.HealthAsync();
            Assert.Equal(child.Id, health["pid"]!.GetValue<int>());
        }

        Assert.False(child.HasExited);
        parent.Kill();

        Assert.Equal(0, await child.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"Parent process {parent.Id} exited; stopping.", child.Output);
    }

    [Fact]
    public async Task Ctrl_c_stops_a_sandbox_of_its_own_but_not_one_started_by_a_session()
    {
        // A terminal's Ctrl+C reaches every process of its foreground group: the PowerShell session and the sandbox
        // that Start-ProfileGraphSandbox started from it (with --parent-pid) alike. Only a sandbox of its own stops.
        using var session = await SandboxProcess.StartAsync("--port", "0");
        using var started = await SandboxProcess.StartAsync("--port", "0", "--parent-pid", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Interrupt(session.Id);
        Interrupt(started.Id);

        Assert.Equal(0, await session.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        await Task.Delay(TimeSpan.FromSeconds(2));
        Assert.False(started.HasExited, "The sandbox started with --parent-pid stopped on Ctrl+C.\n" + started.Output);
        using var client = new SandboxClient(started.BaseUri);
        Assert.Equal(started.Id, (await client.HealthAsync())["pid"]!.GetValue<int>());

        static void Interrupt(int pid)
        {
            using var kill = System.Diagnostics.Process.Start("kill", ["-INT", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)])!;
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }
    }

    [Fact]
    public async Task Shutdown_route_answers_then_stops_the_process_cleanly()
    {
        using var sandbox = await SandboxProcess.StartAsync("--port", "0", "--https-port", "0");
        var certificateFolder = Path.GetDirectoryName(sandbox.CertificatePath)!;
        Assert.True(Directory.Exists(certificateFolder));
        using (var http = new HttpClient { BaseAddress = sandbox.BaseUri })
        {
            using var response = await http.PostAsync("_sandbox/shutdown", content: null);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }

        Assert.Equal(0, await sandbox.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        // A stop, unlike a kill, removes the temporary folder of the HTTPS certificate.
        Assert.False(Directory.Exists(certificateFolder));
    }

    [Fact]
    public async Task Parent_pid_of_a_process_that_is_not_running_refuses_to_start()
    {
        int gone;
        using (var finished = System.Diagnostics.Process.Start(SandboxProcess.StartInfo("--help"))!)
        {
            _ = finished.StandardOutput.ReadToEndAsync();
            await finished.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            gone = finished.Id;
        }

        var (exitCode, stdout, stderr) = await RunToExitAsync("--port", "0", "--parent-pid", gone.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(1, exitCode);
        Assert.Contains($"parent process {gone} (--parent-pid) is not running", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Now listening on:", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Data_file_survives_a_kill_and_restart_with_nothing_lost()
    {
        var dataFile = Path.Combine(folder, "tenant.json");
        JsonObject acknowledged;
        using (var sandbox = await SandboxProcess.StartAsync("--port", "0", "--data", dataFile, "--seed", "3"))
        {
            using var client = new SandboxClient(sandbox.BaseUri);
            var adele = await client.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
            var admin = await client.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite.All");
            var ids = new List<string>();
            for (var i = 0; i < 6; i++)
            {
                ids.Add((await client.CreatePositionAsync("me", adele, SandboxClient.PositionBody($"Kept {i}", i % 2 == 0)))["id"]!.GetValue<string>());
            }

            await client.CreatePositionAsync("users('$svc.positions@contoso.com')", admin, SandboxClient.PositionBody("Service"));
            await client.CreatePositionAsync("users/alex.wilber_fabrikam.com%23EXT%23@contoso.onmicrosoft.com", admin, SandboxClient.PositionBody("Guest"));
            GraphAssert.Status(await client.PatchJsonAsync($"beta/me/profile/positions/{ids[1]}", adele, """{"detail":{"jobTitle":"Renamed","startMonthYear":"2020-05-01"}}"""), 200);
            GraphAssert.Status(await client.DeleteAsync($"beta/me/profile/positions/{ids[2]}", adele), 204);
            var batch = BatchTests.Envelope(BatchTests.CreateItem("1", "Batched one"), BatchTests.CreateItem("2", "Batched two"));
            GraphAssert.Status(await client.PostJsonAsync(BatchTests.BatchPath, adele, batch), 200);
            acknowledged = await client.StateAsync();

            // Crash right after the last acknowledged write.
            sandbox.Kill();
        }

        // The JSON file still holds the demo tenant written at the first start; the store and its WAL hold the rest.
        var file = JsonNode.Parse(await File.ReadAllTextAsync(dataFile))!.AsObject();
        Assert.Equal(1, file["version"]!.GetValue<int>());
        Assert.Empty(file["positions"]!.AsObject());
        Assert.Equal(["tenant.db", "tenant.db-wal", "tenant.identity.json", "tenant.json"], FolderFiles());

        using (var restarted = await SandboxProcess.StartAsync("--port", "0", "--data", dataFile))
        {
            using var client = new SandboxClient(restarted.BaseUri);
            var reloaded = await client.StateAsync();
            GraphAssert.JsonEqual(acknowledged["positions"], reloaded["positions"]);
            GraphAssert.JsonEqual(acknowledged["users"], reloaded["users"]);

            var adeleId = (await client.UserAsync(SandboxClient.AdeleUpn)).Id;
            var titles = reloaded["positions"]![adeleId]!.AsArray().Select(p => p!["detail"]!["jobTitle"]!.GetValue<string>());
            Assert.Equal(["Kept 0", "Renamed", "Kept 3", "Kept 4", "Kept 5", "Batched one", "Batched two"], titles);

            // The restarted process keeps writing to the same store.
            var token = await client.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
            await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("After restart"));
            restarted.Kill();
        }

        // --export reads the store of a stopped sandbox (folding its WAL in) and prints the seed form.
        var export = await RunToExitAsync("--data", dataFile, "--export", "-");
        Assert.Equal(0, export.ExitCode);
        var final = JsonNode.Parse(export.Stdout)!.AsObject();
        Assert.Equal(1, final["version"]!.GetValue<int>());
        Assert.Contains(final["positions"]!.AsObject().SelectMany(p => p.Value!.AsArray()), p => p!["detail"]!["jobTitle"]!.GetValue<string>() == "After restart");
        Assert.Equal(["tenant.db", "tenant.identity.json", "tenant.json"], FolderFiles());
    }

    [Fact]
    public async Task Kill_during_a_stream_of_creates_loses_no_acknowledged_create() =>
        await KillDuringCreatesAsync("stream", async (client, token, label) =>
        {
            var response = await client.PostJsonAsync("beta/me/profile/positions", token, SandboxClient.PositionBody(label));
            return response.StatusCode == 201 ? [response.Object["id"]!.GetValue<string>()] : [];
        });

    [Fact]
    public async Task Kill_during_a_stream_of_batch_envelopes_loses_no_acknowledged_create() =>
        // An envelope is answered only when every item's change is in the store, so each 201 inside a 200 counts.
        await KillDuringCreatesAsync("batches", async (client, token, label) =>
        {
            var requests = new JsonArray();
            for (var item = 1; item <= 5; item++)
            {
                requests.Add(new JsonObject
                {
                    ["id"] = item.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["method"] = "POST",
                    ["url"] = "/me/profile/positions",
                    ["headers"] = new JsonObject { ["Content-Type"] = "application/json" },
                    ["body"] = JsonNode.Parse(SandboxClient.PositionBody($"{label}.{item}")),
                });
            }

            var response = await client.PostJsonAsync(BatchTests.BatchPath, token, new JsonObject { ["requests"] = requests }.ToJsonString());
            return response.StatusCode != 200 ? [] : response.Object["responses"]!.AsArray()
                .Where(answer => answer!["status"]!.GetValue<int>() == 201)
                .Select(answer => answer!["body"]!["id"]!.GetValue<string>());
        });

    /// <summary>
    /// Eight writers stream creates into a sandbox with --data until at least 400 are acknowledged, then the process is
    /// killed (SIGKILL); after a restart on the same store every acknowledged create is there.
    /// </summary>
    private async Task KillDuringCreatesAsync(string name, Func<SandboxClient, string, string, Task<IEnumerable<string>>> create)
    {
        var dataFile = Path.Combine(folder, name + ".json");
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        using (var sandbox = await SandboxProcess.StartAsync("--port", "0", "--data", dataFile))
        {
            using var client = new SandboxClient(sandbox.BaseUri);
            var users = await client.UsersAsync();
            var tokens = await Task.WhenAll(users.Select(user => client.TokenAsync(user.UserPrincipalName, "User.ReadWrite")));
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    try
                    {
                        foreach (var id in await create(client, tokens[(writer + n) % tokens.Length], $"Stream {writer}-{n}"))
                        {
                            acknowledged.Add(id);
                        }
                    }
                    catch (Exception error) when (error is HttpRequestException or IOException or TaskCanceledException)
                    {
                        // The kill: a create whose answer never came is not acknowledged.
                        return;
                    }
                }
            })).ToList();

            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (acknowledged.Count < 400 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            sandbox.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        Assert.Equal([name + ".db", name + ".db-wal", name + ".identity.json", name + ".json"], FolderFiles());
        using var restarted = await SandboxProcess.StartAsync("--port", "0", "--data", dataFile);
        using var restartedClient = new SandboxClient(restarted.BaseUri);
        var stored = (await restartedClient.StateAsync())["positions"]!.AsObject()
            .SelectMany(user => user.Value!.AsArray()).Select(position => position!["id"]!.GetValue<string>()).ToHashSet();
        var lost = acknowledged.Where(id => !stored.Contains(id)).ToList();
        Assert.True(lost.Count == 0, $"{lost.Count} of {acknowledged.Count} acknowledged creates were lost ({stored.Count} stored).");
        Assert.InRange(stored.Count, acknowledged.Count, acknowledged.Count + 8 * 5);
        Assert.True(acknowledged.Count >= 400, $"Only {acknowledged.Count} creates were acknowledged before the kill.");
    }

    [Theory]
    [InlineData("json", "not valid JSON")]
    [InlineData("store", "is damaged")]
    [InlineData("edited", "has changed since")]
    public async Task Damaged_or_edited_data_exits_non_zero_with_the_reason(string damage, string reason)
    {
        var dataFile = Path.Combine(folder, "broken.json");
        var storeFile = Path.Combine(folder, "broken.db");
        if (damage == "json")
        {
            await File.WriteAllTextAsync(dataFile, """{"version":1,"users":[{"id":"a","userPrincipalName":"a@""");
        }
        else
        {
            // A good store first (killed, then exported, which folds its WAL in), then the damage.
            Assert.Equal(1, (await RunToExitAsync("--data", dataFile, "--export", "-")).ExitCode);
            using (await SandboxProcess.StartAsync("--port", "0", "--data", dataFile))
            {
            }

            Assert.Equal(0, (await RunToExitAsync("--data", dataFile, "--export", Path.Combine(folder, "first.json"))).ExitCode);
            Assert.False(File.Exists(storeFile + "-wal"));

            if (damage == "store")
            {
                await File.WriteAllBytesAsync(storeFile, System.Text.Encoding.ASCII.GetBytes("SQLite format 3\0 but cut short"));
            }
            else
            {
                await File.AppendAllTextAsync(dataFile, " ");
            }
        }

        var result = await RunToExitAsync("--port", "0", "--data", dataFile);
        Assert.Equal(1, result.ExitCode);
        Assert.DoesNotContain("Now listening on:", result.Stdout, StringComparison.Ordinal);
        Assert.Contains("The sandbox could not start: ", result.Stderr, StringComparison.Ordinal);
        Assert.Contains(reason, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Stderr, StringComparison.Ordinal);
    }

    private string[] FolderFiles() => [.. Directory.GetFiles(folder).Select(path => Path.GetFileName(path)!).Order(StringComparer.Ordinal)];

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunToExitAsync(params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(SandboxProcess.StartInfo(args))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        }
        finally
        {
            // A sandbox that started serving instead of exiting must not outlive the test.
            if (!process.HasExited)
            {
                process.Kill();
            }
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
