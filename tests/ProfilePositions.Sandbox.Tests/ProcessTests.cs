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

        var file = JsonNode.Parse(await File.ReadAllTextAsync(dataFile))!.AsObject();
        Assert.Equal(1, file["version"]!.GetValue<int>());
        Assert.Equal(
            acknowledged["positions"]!.AsObject().Sum(p => p.Value!.AsArray().Count),
            file["positions"]!.AsObject().Sum(p => p.Value!.AsArray().Count));

        using (var restarted = await SandboxProcess.StartAsync("--port", "0", "--data", dataFile))
        {
            using var client = new SandboxClient(restarted.BaseUri);
            var reloaded = await client.StateAsync();
            GraphAssert.JsonEqual(acknowledged["positions"], reloaded["positions"]);
            GraphAssert.JsonEqual(acknowledged["users"], reloaded["users"]);

            var adeleId = (await client.UserAsync(SandboxClient.AdeleUpn)).Id;
            var titles = reloaded["positions"]![adeleId]!.AsArray().Select(p => p!["detail"]!["jobTitle"]!.GetValue<string>());
            Assert.Equal(["Kept 0", "Renamed", "Kept 3", "Kept 4", "Kept 5", "Batched one", "Batched two"], titles);

            // The restarted process keeps writing through to the same file.
            var token = await client.TokenAsync(SandboxClient.AdeleUpn, "User.ReadWrite");
            await client.CreatePositionAsync("me", token, SandboxClient.PositionBody("After restart"));
            restarted.Kill();
        }

        var final = JsonNode.Parse(await File.ReadAllTextAsync(dataFile))!.AsObject();
        Assert.Contains(final["positions"]!.AsObject().SelectMany(p => p.Value!.AsArray()), p => p!["detail"]!["jobTitle"]!.GetValue<string>() == "After restart");
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
