using System.Diagnostics;
using System.Text.RegularExpressions;

namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>Runs the sandbox as a separate process (<c>dotnet ProfilePositions.Sandbox.dll …</c>) from the test output folder.</summary>
public sealed partial class SandboxProcess : IDisposable
{
    private readonly Process process;
    private readonly List<string> output = [];
    private List<string> allLines = [];

    private SandboxProcess(Process process, string listeningLine, Uri baseUri, Uri? httpsBaseUri, string? certificatePath)
    {
        this.process = process;
        ListeningLine = listeningLine;
        BaseUri = baseUri;
        HttpsBaseUri = httpsBaseUri;
        CertificatePath = certificatePath;
    }

    public string ListeningLine { get; }

    public Uri BaseUri { get; }

    /// <summary>From the second listening line, when started with <c>--https-port</c>.</summary>
    public Uri? HttpsBaseUri { get; }

    /// <summary>From the <c>HTTPS certificate:</c> line, when started with <c>--https-port</c>.</summary>
    public string? CertificatePath { get; }

    /// <summary>What the process printed up to the last listening line, stdout and stderr.</summary>
    public IReadOnlyList<string> StartupOutput => output;

    public bool HasExited => process.HasExited;

    public int Id => process.Id;

    /// <summary>Everything the process printed so far, stdout and stderr (stderr lines start with <c>stderr: </c>).</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (allLines)
            {
                return [.. allLines];
            }
        }
    }

    /// <summary>Waits for the process to end by itself and returns its exit code; throws <see cref="TimeoutException"/> after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await process.WaitForExitAsync().WaitAsync(timeout);
        return process.ExitCode;
    }

    public static string SandboxAssembly => Path.Combine(AppContext.BaseDirectory, "ProfilePositions.Sandbox.dll");

    [GeneratedRegex(@"^Now listening on: (http://127\.0\.0\.1:(\d+))$")]
    public static partial Regex ListeningPattern();

    [GeneratedRegex(@"^Now listening on: (https://127\.0\.0\.1:(\d+))$")]
    public static partial Regex HttpsListeningPattern();

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

    /// <summary>Starts the process and waits for the <c>Now listening on:</c> line (both of them with <c>--https-port</c>).</summary>
    public static async Task<SandboxProcess> StartAsync(params string[] args)
    {
        var https = args.Contains("--https-port");
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

            if (e.Data.StartsWith(https ? "Now listening on: https:" : "Now listening on:", StringComparison.Ordinal))
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

        List<string> printed;
        lock (lines)
        {
            printed = [.. lines];
        }

        var httpLine = printed.FirstOrDefault(candidate => ListeningPattern().IsMatch(candidate)) ?? line;
        var match = ListeningPattern().Match(httpLine);
        var httpsMatch = HttpsListeningPattern().Match(line);
        if (!match.Success || (https && !httpsMatch.Success))
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException("Unexpected listening lines:\n" + string.Join("\n", printed));
        }

        const string certificatePrefix = "HTTPS certificate: ";
        var certificate = printed.FirstOrDefault(candidate => candidate.StartsWith(certificatePrefix, StringComparison.Ordinal))?[certificatePrefix.Length..];
        var sandbox = new SandboxProcess(process, httpLine, new Uri(match.Groups[1].Value + "/"), https ? new Uri(httpsMatch.Groups[1].Value + "/") : null, certificate);
        sandbox.output.AddRange(printed);
        sandbox.allLines = lines;
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
