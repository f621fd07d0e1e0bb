using System;
using System.IO;
using System.Runtime.InteropServices;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>
    /// Whether an interactive (browser) sign-in can happen here at all. MSAL would otherwise start a browser nobody sees,
    /// or fail only after its own search, and the user would wait for -SignInTimeoutSec; this says at once why not and
    /// what to use instead.
    /// </summary>
    internal static class BrowserAvailability
    {
        /// <summary>What MSAL.NET starts on Linux, in its order (NetCorePlatformProxyPublic.GetOpenToolsLinux): the first found on PATH.</summary>
        internal static readonly string[] LinuxOpenTools = { "xdg-open", "gnome-open", "kfmclient", "microsoft-edge", "wslview" };

        /// <summary>The alternatives, for every message that refuses the browser.</summary>
        internal const string Alternatives =
            "Sign in another way: Connect-ProfileGraph -UseDeviceCode (enter a code on any device with a browser), " +
            "-AccessToken <SecureString> (a delegated token you already have), or -AccessTokenProvider { ... } (a script block that returns one, for unattended runs).";

        /// <summary>Why no browser sign-in can happen here, in words that finish "because ..."; null when it can.</summary>
        public static string? WhyNot(string? hostReason) => WhyNot(hostReason, Environment.GetEnvironmentVariable, Platform());

        internal static string? WhyNot(string? hostReason, Func<string, string?> variable, OSPlatform? platform)
        {
            if (!string.IsNullOrWhiteSpace(hostReason))
            {
                return hostReason;
            }

            var ci = variable("CI");
            if (IsSet(ci) && !string.Equals(ci!.Trim(), "false", StringComparison.OrdinalIgnoreCase) && ci.Trim() != "0")
            {
                return "the environment variable CI is set, so this is taken for an unattended run (a build or a pipeline)";
            }

            if (platform == OSPlatform.Windows)
            {
                // False for a service, or a scheduled task that runs whether the user is logged on or not (no desktop).
                return Environment.UserInteractive ? null : "this process has no desktop (a service, or a scheduled task that runs whether the user is logged on or not)";
            }

            if (platform == OSPlatform.Linux)
            {
                if (IsSet(variable("SUDO_USER")))
                {
                    return "MSAL does not open a browser under sudo (SUDO_USER is set)";
                }

                var wsl = IsSet(variable("WSL_DISTRO_NAME")) || IsSet(variable("WSL_INTEROP"));
                if (!wsl && !IsSet(variable("DISPLAY")) && !IsSet(variable("WAYLAND_DISPLAY")))
                {
                    return "there is no graphical display (neither DISPLAY nor WAYLAND_DISPLAY is set), so no browser can open";
                }

                if (FindOnPath(LinuxOpenTools, variable("PATH")) == null)
                {
                    return "no program that opens a browser is on PATH (MSAL starts the first of " + string.Join(", ", LinuxOpenTools) + ")";
                }
            }

            return null;
        }

        /// <summary>The first of <paramref name="tools"/> found in a directory of <paramref name="path"/>, as MSAL looks for it.</summary>
        internal static string? FindOnPath(string[] tools, string? path)
        {
            foreach (var tool in tools)
            {
                foreach (var directory in (path ?? string.Empty).Split(new[] { ':' }, StringSplitOptions.RemoveEmptyEntries))
                {
                    try
                    {
                        var candidate = Path.Combine(directory, tool);
                        if (File.Exists(candidate))
                        {
                            return candidate;
                        }
                    }
                    catch (ArgumentException)
                    {
                        // A PATH entry with characters a path cannot have: MSAL skips it too.
                    }
                }
            }

            return null;
        }

        private static bool IsSet(string? value) => !string.IsNullOrWhiteSpace(value);

        private static OSPlatform? Platform()
        {
            if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
            {
                return OSPlatform.Windows;
            }

            if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
            {
                return OSPlatform.Linux;
            }

            return RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? OSPlatform.OSX : (OSPlatform?)null;
        }
    }
}
