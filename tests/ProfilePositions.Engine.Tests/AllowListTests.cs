using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace ProfilePositions.Engine.Tests;

/// <summary>
/// The boundaries that let the engine and its third-party closure load in their own context (Dependencies/ and ModuleLoadContext):
/// the cmdlet assembly references only the framework, PowerShell, the engine and the models; the engine no PowerShell.
/// </summary>
public sealed class AllowListTests
{
    private static IReadOnlyList<string> ReferencesOf(string fileName)
    {
        var path = Path.Combine(AppContext.BaseDirectory, fileName);
        Assert.True(File.Exists(path), path + " was not built next to the tests");
        using var stream = File.OpenRead(path);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.AssemblyReferences.Select(handle => metadata.GetString(metadata.GetAssemblyReference(handle).Name)).ToList();
    }

    [Fact]
    public void TheCmdletAssemblyReferencesOnlyTheAllowList()
    {
        var references = ReferencesOf("ProfilePositions.dll");

        // An exact list: a package-delivered System.* assembly (System.Text.Json, say) must not slip into the default context.
        // System.Runtime.Loader: a framework assembly on .NET, named only by code that runs there (never shipped, never on 5.1).
        string[] allowed = ["netstandard", "System.Management.Automation", "System.Runtime.Loader", "ProfilePositions.Engine", "ProfilePositions.Models"];
        var outside = references.Except(allowed, StringComparer.Ordinal).ToList();
        Assert.True(outside.Count == 0, "ProfilePositions.dll references assemblies outside the allow-list: " + string.Join(", ", outside));
        Assert.Contains("ProfilePositions.Engine", references);
    }

    [Fact]
    public void TheEngineReferencesNoPowerShell()
    {
        var references = ReferencesOf("ProfilePositions.Engine.dll");

        Assert.DoesNotContain(references, name => name.StartsWith("System.Management.Automation", StringComparison.Ordinal) || name.StartsWith("Microsoft.PowerShell", StringComparison.Ordinal));
        Assert.Contains("Microsoft.Kiota.Abstractions", references);
        Assert.Contains("Microsoft.Graph.Core", references);
    }

    [Fact]
    public void TheModelsReferenceNothingButTheFramework()
    {
        Assert.Equal(["netstandard"], ReferencesOf("ProfilePositions.Models.dll"));
    }
}
