namespace ProfilePositions.Sandbox.Tests.Infrastructure;

/// <summary>A fresh folder under the temp directory for one test, deleted afterwards (best effort).</summary>
public sealed class TemporaryFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "pp-sandbox-tests", Guid.NewGuid().ToString("N"));

    public TemporaryFolder()
    {
        Directory.CreateDirectory(Path);
    }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
