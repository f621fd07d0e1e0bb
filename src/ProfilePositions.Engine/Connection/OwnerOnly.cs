using System;
using System.IO;
using System.Reflection;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// Files and folders only their owner can read, on Linux and macOS (mode 600 and 700). netstandard2.0 has no API for
    /// the mode; the .NET that PowerShell 7 runs on has File.SetUnixFileMode, found at run time. Windows keeps the
    /// user's profile folder private through its ACLs, so nothing is changed there.
    /// </summary>
    internal static class OwnerOnly
    {
        private const int FileMode = 0x180; // 0600
        private const int DirectoryMode = 0x1C0; // 0700

        private static readonly Type? UnixFileModeType = typeof(File).Assembly.GetType("System.IO.UnixFileMode");

        private static readonly MethodInfo? SetUnixFileMode =
            UnixFileModeType == null ? null : typeof(File).GetMethod("SetUnixFileMode", new[] { typeof(string), UnixFileModeType });

        private static readonly MethodInfo? GetUnixFileMode =
            UnixFileModeType == null ? null : typeof(File).GetMethod("GetUnixFileMode", new[] { typeof(string) });

        private static bool IsUnix => System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux)
            || System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.OSX);

        public static void CreateDirectory(string path)
        {
            var existed = System.IO.Directory.Exists(path);
            System.IO.Directory.CreateDirectory(path);
            if (!existed)
            {
                Restrict(path, DirectoryMode);
            }
        }

        /// <summary>A new, empty file that is already owner-only before anything is written to it.</summary>
        public static FileStream CreateFile(string path)
        {
            var stream = new FileStream(path, System.IO.FileMode.Create, FileAccess.Write, FileShare.None);
            try
            {
                Restrict(path, FileMode);
                return stream;
            }
            catch
            {
                stream.Dispose();
                throw;
            }
        }

        /// <summary>Makes an existing file owner-only (600); nothing when it does not exist or on Windows.</summary>
        public static void RestrictFile(string path)
        {
            if (File.Exists(path))
            {
                Restrict(path, FileMode);
            }
        }

        /// <summary>The file's Unix permission bits (e.g. 0x180 for 600); null on Windows or when unknown.</summary>
        public static int? ModeOf(string path)
        {
            if (!IsUnix || GetUnixFileMode == null || !File.Exists(path))
            {
                return null;
            }

            return Convert.ToInt32(GetUnixFileMode.Invoke(null, new object[] { path }), System.Globalization.CultureInfo.InvariantCulture);
        }

        private static void Restrict(string path, int mode)
        {
            if (!IsUnix || SetUnixFileMode == null || UnixFileModeType == null)
            {
                return;
            }

            try
            {
                SetUnixFileMode.Invoke(null, new[] { path, Enum.ToObject(UnixFileModeType, mode) });
            }
            catch (TargetInvocationException ex) when (ex.InnerException != null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            }
        }
    }
}
