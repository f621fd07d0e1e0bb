using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>Runs the sandbox as a separate process (<c>dotnet ProfilePositions.Sandbox.dll …</c>) from the test output folder.</summary>
public sealed partial class SandboxProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];

    private SandboxProcess(Process process, string listeningLine, Uri baseUri)
    {
        this.process = process;
        ListeningLine = listeningLine;
        BaseUri = baseUri;
    }

    public string ListeningLine { get; }

    public Uri BaseUri { get; }

    public bool HasExited => process.HasExited;

    public static string SandboxAssembly => Path.Combine(AppContext.BaseDirectory, "ProfilePositions.Sandbox.dll");

    [GeneratedRegex(@"^Now listening on: (http://127\.0\.0\.1:(\d+))$")]
    public static partial Regex ListeningPattern();

    public static ProcessStartInfo StartInfo(params string[] args)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        var info = new ProcessStartInfo(string.IsNullOrEmpty(dotnet) ? "dotnet" : dotnet)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(SandboxAssembly);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return info;
    }

    /// <summary>Starts the process and waits for the <c>Now listening on:</c> line.</summary>
    public static async Task<SandboxProcess> StartAsync(params string[] args)
    {
        var process = Process.Start(StartInfo(args)) ?? throw new InvalidOperationException("dotnet did not start");
        var lines = new List<string>();
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException("The sandbox ended before listening:\n" + string.Join("\n", lines)));
                return;
            }

            lock (lines)
            {
                lines.Add(e.Data);
            }

            if (e.Data.StartsWith("Now listening on:", StringComparison.Ordinal))
            {
                listening.TrySetResult(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (lines)
                {
                    lines.Add("stderr: " + e.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        string line;
        try
        {
            line = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
        catch
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw;
        }

        var match = ListeningPattern().Match(line);
        if (!match.Success)
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException("Unexpected listening line: " + line);
        }

        var sandbox = new SandboxProcess(process, line, new Uri(match.Groups[1].Value + "/"));
        sandbox.output.AddRange(lines);
        return sandbox;
    }

    /// <summary>Ends the process abruptly, as a crash would (no shutdown hooks run).</summary>
    public void Kill()
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.WaitForExit();
    }

    public void Dispose()
    {
        Kill();
        process.Dispose();
    }
}
