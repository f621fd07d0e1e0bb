using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;

namespace ProfilePositions.Isolation
{
    /// <summary>
    /// Windows PowerShell 5.1 (.NET Framework has no load contexts): a dynamic binding redirect. It answers only for
    /// assemblies the Dependencies folder holds, and only when this module asked for them (the cmdlet assembly or an
    /// assembly loaded from Dependencies; or an unknown requester), so it never takes over another module's loads.
    /// </summary>
    internal sealed class FrameworkAssemblyResolver : IDependencyResolver
    {
        private readonly string _dependencyFolder;
        private readonly HashSet<string> _shipped;
        private readonly Assembly _cmdletAssembly = typeof(FrameworkAssemblyResolver).Assembly;

        public FrameworkAssemblyResolver(string dependencyFolder)
        {
            _dependencyFolder = Path.GetFullPath(dependencyFolder)
                .TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar) + Path.DirectorySeparatorChar;
            _shipped = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var file in Directory.GetFiles(dependencyFolder, "*.dll"))
            {
                _shipped.Add(Path.GetFileNameWithoutExtension(file));
            }
        }

        public void Attach() => AppDomain.CurrentDomain.AssemblyResolve += OnAssemblyResolve;

        public void Detach() => AppDomain.CurrentDomain.AssemblyResolve -= OnAssemblyResolve;

        // May run on any thread, without a runspace.
        private Assembly? OnAssemblyResolve(object? sender, ResolveEventArgs args)
        {
            string? name;
            try
            {
                name = new AssemblyName(args.Name).Name;
            }
            catch (Exception exception) when (exception is ArgumentException || exception is FileLoadException)
            {
                return null;
            }

            if (name is null || !_shipped.Contains(name) || !IsOurs(args.RequestingAssembly))
            {
                return null;
            }

            return Assembly.LoadFrom(Path.Combine(_dependencyFolder, name + ".dll"));
        }

        private bool IsOurs(Assembly? requester)
        {
            if (requester is null || requester == _cmdletAssembly)
            {
                return true;
            }

            string location;
            try
            {
                location = requester.Location;
            }
            catch (NotSupportedException)
            {
                // A dynamic assembly has no location, and is not ours.
                return false;
            }

            return !string.IsNullOrEmpty(location)
                && Path.GetFullPath(location).StartsWith(_dependencyFolder, StringComparison.OrdinalIgnoreCase);
        }
    }
}
