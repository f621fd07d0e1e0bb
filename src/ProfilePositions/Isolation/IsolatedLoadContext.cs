using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Reflection.Emit;

namespace ProfilePositions.Isolation
{
    /// <summary>
    /// The module's private AssemblyLoadContext over the Dependencies folder (PowerShell 7 / .NET only).
    /// This assembly targets netstandard2.0, which has no AssemblyLoadContext, so the context's class is emitted at run
    /// time: a subclass whose Load override calls <see cref="LoadFromDependencies"/>. A subclass, not a plain context with a
    /// Resolving handler, because a plain context first falls back to the default context, and would bind there to
    /// whatever version another module loaded (the cross-context type identity failures users meet with MSAL).
    /// </summary>
    internal sealed class IsolatedLoadContext
    {
        private const string ContextName = "ProfilePositions";

        private static readonly Type? LoadContextType =
            typeof(object).Assembly.GetType("System.Runtime.Loader.AssemblyLoadContext", throwOnError: false);

        private static readonly object Gate = new object();
        private static IsolatedLoadContext? s_instance;

        // Assemblies the engine shares with the cmdlets and with scripts: their types must be the default context's, or a
        // [ProfilePositions.WorkPosition] from a script and one from the engine would be two different types.
        private static readonly Dictionary<string, Assembly> SharedWithDefault = new Dictionary<string, Assembly>(StringComparer.OrdinalIgnoreCase)
        {
            [typeof(WorkPosition).Assembly.GetName().Name!] = typeof(WorkPosition).Assembly,
        };

        private readonly string _dependencyFolder;
        private readonly MethodInfo _loadFromAssemblyPath;
        private readonly MethodInfo _loadFromAssemblyName;
        private readonly ConcurrentDictionary<string, bool> _platformProvides = new ConcurrentDictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
        private readonly Lazy<Dictionary<string, string>> _platformAssemblies = new Lazy<Dictionary<string, string>>(ReadPlatformAssemblies);

        private IsolatedLoadContext(string dependencyFolder)
        {
            _dependencyFolder = dependencyFolder;
            var contextType = EmitContextType(LoadContextType!);
            _loadFromAssemblyPath = LoadContextType!.GetMethod("LoadFromAssemblyPath", new[] { typeof(string) })
                ?? throw new MissingMethodException(LoadContextType.FullName, "LoadFromAssemblyPath");
            _loadFromAssemblyName = LoadContextType.GetMethod("LoadFromAssemblyName", new[] { typeof(AssemblyName) })
                ?? throw new MissingMethodException(LoadContextType.FullName, "LoadFromAssemblyName");
            Func<AssemblyName, Assembly?> load = LoadFromDependencies;
            Context = Activator.CreateInstance(contextType, ContextName, load)!;
        }

        /// <summary>True on .NET (PowerShell 7), where load contexts exist; false on .NET Framework (Windows PowerShell 5.1).</summary>
        public static bool IsSupported => LoadContextType is not null;

        /// <summary>The AssemblyLoadContext type, on runtimes that have it.</summary>
        public static Type ContextType => LoadContextType ?? throw new PlatformNotSupportedException("This runtime has no AssemblyLoadContext.");

        /// <summary>The AssemblyLoadContext instance.</summary>
        public object Context { get; }

        public string DependencyFolder => _dependencyFolder;

        /// <summary>One context per process: contexts are never unloaded, and a second one would load a second engine.</summary>
        public static IsolatedLoadContext GetOrCreate(string dependencyFolder)
        {
            lock (Gate)
            {
                return s_instance ??= new IsolatedLoadContext(dependencyFolder);
            }
        }

        /// <summary>Loads an assembly of the Dependencies folder into this context (once; later calls return the same one).</summary>
        public Assembly? LoadFromFolder(string simpleName)
        {
            if (!File.Exists(Path.Combine(_dependencyFolder, simpleName + ".dll")))
            {
                return null;
            }

            return (Assembly)_loadFromAssemblyName.Invoke(Context, new object[] { new AssemblyName(simpleName) })!;
        }

        // The Load override: our copy when Dependencies has it, else null so the default context serves it (the framework,
        // PowerShell, and ProfilePositions.Models, whose types the engine must share with scripts).
        private Assembly? LoadFromDependencies(AssemblyName assemblyName)
        {
            var name = assemblyName.Name;
            if (string.IsNullOrEmpty(name))
            {
                return null;
            }

            if (SharedWithDefault.TryGetValue(name!, out var shared))
            {
                return shared;
            }

            var path = Path.Combine(_dependencyFolder, name + ".dll");
            if (!File.Exists(path) || PlatformProvides(name!, path))
            {
                return null;
            }

            return (Assembly)_loadFromAssemblyPath.Invoke(Context, new object[] { path })!;
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

        // Emits, in memory:
        // public sealed class ProfilePositionsLoadContext : AssemblyLoadContext
        // {
        //     private readonly Func<AssemblyName, Assembly> _load;
        //     public ProfilePositionsLoadContext(string name, Func<AssemblyName, Assembly> load) : base(name, false) { _load = load; }
        //     protected override Assembly Load(AssemblyName assemblyName) => _load(assemblyName);
        // }
        // netstandard2.0 has OpCodes but none of the builders (AssemblyBuilder, TypeBuilder, ILGenerator); every runtime that
        // has load contexts has them, so they are called through reflection.
        private static Type EmitContextType(Type loadContextType)
        {
            var instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
            var baseConstructor = loadContextType.GetConstructor(instance, null, new[] { typeof(string), typeof(bool) }, null)
                ?? throw new MissingMethodException(loadContextType.FullName, ".ctor(string, bool)");
            var baseLoad = loadContextType.GetMethod("Load", instance, null, new[] { typeof(AssemblyName) }, null)
                ?? throw new MissingMethodException(loadContextType.FullName, "Load(AssemblyName)");
            var loadDelegate = typeof(Func<AssemblyName, Assembly?>);
            var invokeDelegate = loadDelegate.GetMethod("Invoke")!;

            var emit = typeof(OpCodes).Assembly;
            var assemblyBuilderType = emit.GetType("System.Reflection.Emit.AssemblyBuilder", throwOnError: true)!;
            var accessType = emit.GetType("System.Reflection.Emit.AssemblyBuilderAccess", throwOnError: true)!;
            const string AssemblyName = "ProfilePositions.LoadContext";
            // AssemblyBuilderAccess.Run (1): in memory only, never saved.
            var assembly = Call(assemblyBuilderType, null, "DefineDynamicAssembly", new[] { typeof(AssemblyName), accessType }, new AssemblyName(AssemblyName), Enum.ToObject(accessType, 1));
            var module = Call(assembly.GetType(), assembly, "DefineDynamicModule", new[] { typeof(string) }, AssemblyName);
            var type = Call(module.GetType(), module, "DefineType", new[] { typeof(string), typeof(TypeAttributes), typeof(Type) },
                "ProfilePositions.ProfilePositionsLoadContext", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, loadContextType);
            var typeBuilder = type.GetType();
            var loadField = (FieldInfo)Call(typeBuilder, type, "DefineField", new[] { typeof(string), typeof(Type), typeof(FieldAttributes) },
                "_load", loadDelegate, FieldAttributes.Private | FieldAttributes.InitOnly);

            var constructor = Call(typeBuilder, type, "DefineConstructor", new[] { typeof(MethodAttributes), typeof(CallingConventions), typeof(Type[]) },
                MethodAttributes.Public, CallingConventions.Standard, new[] { typeof(string), loadDelegate });
            var il = new IlWriter(Call(constructor.GetType(), constructor, "GetILGenerator", Type.EmptyTypes));
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Ldc_I4_0);
            il.Emit(OpCodes.Call, baseConstructor);
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldarg_2);
            il.Emit(OpCodes.Stfld, loadField);
            il.Emit(OpCodes.Ret);

            var load = (MethodInfo)Call(typeBuilder, type, "DefineMethod", new[] { typeof(string), typeof(MethodAttributes), typeof(Type), typeof(Type[]) },
                "Load", MethodAttributes.Family | MethodAttributes.Virtual | MethodAttributes.HideBySig, typeof(Assembly), new[] { typeof(AssemblyName) });
            il = new IlWriter(Call(load.GetType(), load, "GetILGenerator", Type.EmptyTypes));
            il.Emit(OpCodes.Ldarg_0);
            il.Emit(OpCodes.Ldfld, loadField);
            il.Emit(OpCodes.Ldarg_1);
            il.Emit(OpCodes.Callvirt, invokeDelegate);
            il.Emit(OpCodes.Ret);
            CallVoid(typeBuilder, type, "DefineMethodOverride", new[] { typeof(MethodInfo), typeof(MethodInfo) }, load, baseLoad);

            return (Type)Call(typeBuilder, type, "CreateType", Type.EmptyTypes);
        }

        private static object Call(Type type, object? target, string methodName, Type[] parameterTypes, params object?[] arguments)
        {
            return CallVoid(type, target, methodName, parameterTypes, arguments)
                ?? throw new InvalidOperationException(type.FullName + "." + methodName + " returned null.");
        }

        private static object? CallVoid(Type type, object? target, string methodName, Type[] parameterTypes, params object?[] arguments)
        {
            var flags = BindingFlags.Public | (target is null ? BindingFlags.Static : BindingFlags.Instance);
            var method = type.GetMethod(methodName, flags, null, parameterTypes, null)
                ?? throw new MissingMethodException(type.FullName, methodName);
            return method.Invoke(target, arguments);
        }

        /// <summary>An ILGenerator reached through reflection.</summary>
        private sealed class IlWriter
        {
            private readonly object _generator;

            public IlWriter(object generator) => _generator = generator;

            public void Emit(OpCode opCode) => Invoke(new[] { typeof(OpCode) }, opCode);

            public void Emit(OpCode opCode, ConstructorInfo constructor) => Invoke(new[] { typeof(OpCode), typeof(ConstructorInfo) }, opCode, constructor);

            public void Emit(OpCode opCode, FieldInfo field) => Invoke(new[] { typeof(OpCode), typeof(FieldInfo) }, opCode, field);

            public void Emit(OpCode opCode, MethodInfo method) => Invoke(new[] { typeof(OpCode), typeof(MethodInfo) }, opCode, method);

            private void Invoke(Type[] parameterTypes, params object[] arguments)
            {
                var method = _generator.GetType().GetMethod("Emit", BindingFlags.Public | BindingFlags.Instance, null, parameterTypes, null)
                    ?? throw new MissingMethodException(_generator.GetType().FullName, "Emit");
                method.Invoke(_generator, arguments);
            }
        }
    }

    /// <summary>
    /// Hooks the default context's Resolving event and answers only for the engine, which it loads into the private context;
    /// everything the engine references then resolves through that context's Load override.
    /// </summary>
    internal sealed class IsolatedLoadContextResolver : IDependencyResolver
    {
        private const string EngineAssemblyName = "ProfilePositions.Engine";

        private readonly IsolatedLoadContext _context;
        private readonly EventInfo _resolving;
        private readonly object _defaultContext;
        private readonly Delegate _handler;

        public IsolatedLoadContextResolver(IsolatedLoadContext context)
        {
            _context = context;
            var contextType = IsolatedLoadContext.ContextType;
            _resolving = contextType.GetEvent("Resolving") ?? throw new MissingMemberException(contextType.FullName, "Resolving");
            _defaultContext = contextType.GetProperty("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null)
                ?? throw new MissingMemberException(contextType.FullName, "Default");
            // The event's type is Func<AssemblyLoadContext, AssemblyName, Assembly>, which this assembly cannot name; a generic
            // method closed over the context type binds to it exactly.
            var method = typeof(IsolatedLoadContextResolver).GetMethod(nameof(ResolveEngine), BindingFlags.Instance | BindingFlags.NonPublic)!
                .MakeGenericMethod(contextType);
            _handler = Delegate.CreateDelegate(_resolving.EventHandlerType!, this, method);
        }

        public void Attach() => _resolving.AddEventHandler(_defaultContext, _handler);

        public void Detach() => _resolving.RemoveEventHandler(_defaultContext, _handler);

        // May run on any thread, without a runspace.
        private Assembly? ResolveEngine<TContext>(TContext requestingContext, AssemblyName assemblyName)
        {
            return string.Equals(assemblyName.Name, EngineAssemblyName, StringComparison.OrdinalIgnoreCase)
                ? _context.LoadFromFolder(EngineAssemblyName)
                : null;
        }
    }
}
