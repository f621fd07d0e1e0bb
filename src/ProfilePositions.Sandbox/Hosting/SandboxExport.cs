using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox;

/// <summary><c>--data &lt;file&gt; --export &lt;target&gt;</c>: the store's content in the JSON seed form, without starting a server.</summary>
public static class SandboxExport
{
    /// <summary>Writes the export and returns the process exit code: 0, or 1 with the reason on standard error.</summary>
    public static int Run(string dataFile, string target)
    {
        try
        {
            var files = DataFiles.For(dataFile);
            if (target == "-")
            {
                using var stdout = Console.OpenStandardOutput();
                TenantStore.Export(files, stdout);
                return 0;
            }

            using var buffer = new MemoryStream();
            var count = TenantStore.Export(files, buffer);
            StateFile.WriteAtomically(target, buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            Console.Out.WriteLine($"Exported {count} positions from {files.StorePath} to {Path.GetFullPath(target)}.");
            return 0;
        }
        catch (Exception error) when (error is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            Console.Error.WriteLine($"The sandbox could not export: {error.Message}");
            return 1;
        }
    }
}
