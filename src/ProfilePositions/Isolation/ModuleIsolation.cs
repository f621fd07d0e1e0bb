using System;
using System.IO;
using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace ProfilePositions.Isolation
{
    /// <summary>
    /// Keeps the engine and its third-party closure (Kiota, Microsoft.Graph.Core, Azure.Identity, MSAL, System.* packages),
    /// shipped in the module's Dependencies folder, apart from the versions other modules load, so that this module and
    /// Az.Accounts, Microsoft.Graph or ExchangeOnlineManagement work side by side in either import order.
    /// PowerShell 7 (.NET): one private AssemblyLoadContext over Dependencies. Windows PowerShell 5.1 (.NET Framework):
    /// an AssemblyResolve handler that serves only this module's own requests from Dependencies.
    /// </summary>
    public sealed class ModuleIsolation : IModuleAssemblyInitializer, IModuleAssemblyCleanup
    {
        /// <summary>The folder, next to the cmdlet assembly, that holds the engine and every third-party assembly.</summary>
        public const string DependencyFolderName = "Dependencies";

        // AssemblyLoadContext lives in the core library on .NET and nowhere on .NET Framework; asked for by name, so that
        // this check names no load-context type.
        private static readonly bool RuntimeHasLoadContexts =
            typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext", throwOnError: false) is not null;

        private static readonly object Gate = new object();
        private static IDependencyResolver? s_resolver;

        public void OnImport()
        {
            lock (Gate)
            {
                if (s_resolver is not null)
                {
                    return;
                }

                var moduleFolder = Path.GetDirectoryName(typeof(ModuleIsolation).Assembly.Location) ?? string.Empty;
                var dependencyFolder = Path.Combine(moduleFolder, DependencyFolderName);
                // A flat build output (the xunit tests, a plain 'dotnet build') has no Dependencies folder and needs no isolation.
                if (!Directory.Exists(dependencyFolder))
                {
                    return;
                }

                s_resolver = RuntimeHasLoadContexts
                    ? CreateLoadContextResolver(dependencyFolder)
                    : new FrameworkAssemblyResolver(dependencyFolder);
                s_resolver.Attach();
            }
        }

        // A method of its own, never inlined, because the JIT resolves every type a method names when it compiles the method:
        // on Windows PowerShell 5.1 (.NET Framework, no System.Runtime.Loader) OnImport would fail to compile if it named
        // ModuleLoadContext. This one is compiled only on .NET.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static IDependencyResolver CreateLoadContextResolver(string dependencyFolder)
        {
            return new ModuleLoadContextResolver(ModuleLoadContext.GetOrCreate(dependencyFolder));
        }

        public void OnRemove(PSModuleInfo psModuleInfo)
        {
            lock (Gate)
            {
                s_resolver?.Detach();
                s_resolver = null;
            }
        }
    }

    /// <summary>A process-wide assembly resolution hook that can be removed with the module.</summary>
    internal interface IDependencyResolver
    {
        void Attach();

        void Detach();
    }
}
