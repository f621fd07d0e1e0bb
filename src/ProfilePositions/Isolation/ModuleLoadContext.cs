using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace ProfilePositions.Isolation
{
    /// <summary>
    /// The module's private load context over the Dependencies folder. PowerShell 7 (.NET) only: .NET Framework has no
    /// System.Runtime.Loader, so only code that runs on .NET may name this type (see <see cref="ModuleIsolation"/>).
    /// A subclass, not a plain context with a Resolving handler, because a plain context first falls back to the default
    /// context, and would bind there to whatever version another module loaded (the cross-context type identity failures
    /// users meet with MSAL).
    /// </summary>
    internal sealed class ModuleLoadContext : AssemblyLoadContext
    {

        private static readonly object Gate = new object();
        private static ModuleLoadContext? s_instance;

        // The engine shares the models with the cmdlets and with scripts: their types must be the default context's, or a
        // [ProfilePositions.WorkPosition] from a script and one from the engine would be two different types.
        private static readonly Assembly ModelsAssembly = typeof(WorkPosition).Assembly;

        private readonly string _dependencyFolder;
        private readonly ConcurrentDictionary<string, bool> _platformProvides = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        private readonly Lazy<Dictionary<string, string>> _platformAssemblies = new Lazy<Dictionary<string, string>>(ReadPlatformAssemblies);

        private ModuleLoadContext(string dependencyFolder)
        {
            // The package's contract (netstandard1.5) predates named contexts, so the context is known by its type,
            // ProfilePositions.Isolation.ModuleLoadContext, in diagnostics such as [AssemblyLoadContext]::All.
            _dependencyFolder = dependencyFolder;
        }

        /// <summary>One context per process: contexts are never unloaded, and a second one would load a second engine.</summary>
        public static ModuleLoadContext GetOrCreate(string dependencyFolder)
        {
            lock (Gate)
            {
                return s_instance ??= new ModuleLoadContext(dependencyFolder);
            }
        }

        /// <summary>Loads an assembly of the Dependencies folder into this context (once; later calls return the same one).</summary>
        public Assembly? LoadFromFolder(string simpleName)
        {
            return File.Exists(Path.Combine(_dependencyFolder, simpleName + ".dll"))
                ? LoadFromAssemblyName(new AssemblyName(simpleName))
                : null;
        }

        // Our copy when Dependencies has it, else null so the default context serves it (the framework, PowerShell, and
        // ProfilePositions.Models, whose types the engine must share with scripts).
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            var name = assemblyName.Name;
            if (string.IsNullOrEmpty(name))
            {
                return null;
            }

            if (string.Equals(name, ModelsAssembly.GetName().Name, StringComparison.OrdinalIgnoreCase))
            {
                return ModelsAssembly;
            }

            var path = Path.Combine(_dependencyFolder, name + ".dll");
            if (!File.Exists(path) || PlatformProvides(name!, path))
            {
                return null;
            }

            return LoadFromAssemblyPath(path);
        }

        // Package copies of framework assemblies (System.Text.Json, System.Memory, ...) ship for .NET Framework; on .NET the
        // framework's own copy is used when it is at least as new. No module can replace a framework assembly, so this
        // cannot bind to another module's version.
        private bool PlatformProvides(string name, string shippedPath)
        {
            return _platformProvides.GetOrAdd(name, key =>
            {
                if (!_platformAssemblies.Value.TryGetValue(key, out var platformPath))
                {
                    return false;
                }

                try
                {
                    var platformVersion = AssemblyName.GetAssemblyName(platformPath).Version;
                    var shippedVersion = AssemblyName.GetAssemblyName(shippedPath).Version;
                    return platformVersion is not null && shippedVersion is not null && platformVersion >= shippedVersion;
                }
                catch (Exception exception) when (exception is IOException || exception is BadImageFormatException || exception is UnauthorizedAccessException)
                {
                    return false;
                }
            });
        }

        private static Dictionary<string, string> ReadPlatformAssemblies()
        {
            // The trusted platform assemblies: the runtime's and PowerShell's own, which the default context always serves.
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            if (AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") is string list)
            {
                foreach (var path in list.Split(new[] { Path.PathSeparator }, StringSplitOptions.RemoveEmptyEntries))
                {
                    result[Path.GetFileNameWithoutExtension(path)] = path;
                }
            }

            return result;
        }
    }

    /// <summary>
    /// Hooks the default context's Resolving event and answers only for the engine, which it loads into the module's context;
    /// everything the engine references then resolves through that context's Load override. PowerShell 7 (.NET) only.
    /// </summary>
    internal sealed class ModuleLoadContextResolver : IDependencyResolver
    {
        private const string EngineAssemblyName = "ProfilePositions.Engine";

        private readonly ModuleLoadContext _context;

        public ModuleLoadContextResolver(ModuleLoadContext context) => _context = context;

        public void Attach() => AssemblyLoadContext.Default.Resolving += ResolveEngine;

        public void Detach() => AssemblyLoadContext.Default.Resolving -= ResolveEngine;

        // May run on any thread, without a runspace.
        private Assembly? ResolveEngine(AssemblyLoadContext requestingContext, AssemblyName assemblyName)
        {
            return string.Equals(assemblyName.Name, EngineAssemblyName, StringComparison.OrdinalIgnoreCase)
                ? _context.LoadFromFolder(EngineAssemblyName)
                : null;
        }
    }
}
