using System.Diagnostics;

namespace ProfilePositions.Sandbox.Hosting;

/// <summary>
/// <c>--parent-pid</c>: stops the sandbox when the process that started it is gone, so a test run that crashed or was
/// killed leaves no sandbox behind. The parent is looked at twice a second; a process id that was reused by a newer
/// process (a later start time) or a zombie counts as gone.
/// </summary>
internal static class ParentWatch
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);

    /// <summary>The parent's start time, to tell it from a later process with the same id; null when it is not running.</summary>
    /// <exception cref="ArgumentException">No process has that id.</exception>
    public static Watched Open(int pid)
    {
        using var process = Process.GetProcessById(pid);
        if (process.HasExited)
        {
            throw new ArgumentException($"Option '--parent-pid': process {pid} has exited already.");
        }

        return new Watched(pid, StartTime(process));
    }

    /// <summary>Completes when the parent is gone (true) or <paramref name="ct"/> is cancelled (false).</summary>
    public static async Task<bool> WaitForExitAsync(Watched parent, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
            {
                if (!IsAlive(parent))
                {
                    return true;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        return false;
    }

    private static bool IsAlive(Watched parent)
    {
        try
        {
            using var process = Process.GetProcessById(parent.Pid);
            if (process.HasExited || IsZombie(parent.Pid))
            {
                return false;
            }

            return parent.StartTime is not { } started || StartTime(process) is not { } now || now == started;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    // On Linux a killed process whose own parent has not reaped it yet is a zombie: it still has its id but is gone.
    private static bool IsZombie(int pid)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var end = stat.LastIndexOf(')');
            return end > 0 && end + 2 < stat.Length && stat[end + 2] is 'Z' or 'X';
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static DateTime? StartTime(Process process)
    {
        try
        {
            return process.StartTime;
        }
        catch (Exception error) when (error is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    internal readonly record struct Watched(int Pid, DateTime? StartTime);
}
