using System;
using System.Management.Automation.Host;

namespace ProfilePositions.Connections
{
    /// <summary>
    /// What the PowerShell host says about showing a browser sign-in, in words that finish "because ...": PowerShell
    /// started with -NonInteractive, or a remote session whose browser would open on the other computer. The engine
    /// adds what it can see itself (no display, no desktop, CI).
    /// </summary>
    internal static class HostInteractivity
    {
        public static string? WhyNot(PSHost? host) => WhyNot(host?.Name, Environment.GetCommandLineArgs());

        internal static string? WhyNot(string? hostName, string[] commandLine)
        {
            if (string.Equals(hostName, "ServerRemoteHost", StringComparison.OrdinalIgnoreCase))
            {
                return "this is a remote PowerShell session: a browser would open on the remote computer, not in front of you";
            }

            return StartedNonInteractive(commandLine) ? "PowerShell was started with -NonInteractive" : null;
        }

        /// <summary>
        /// Whether pwsh (or powershell.exe) was given -NonInteractive before the script or command, as its own command
        /// line parser reads it: -, -- or / and any abbreviation from -noni on, ignoring case.
        /// </summary>
        internal static bool StartedNonInteractive(string[] commandLine)
        {
            // The first entry is the program (or pwsh.dll under `dotnet pwsh`).
            for (var i = 1; i < commandLine.Length; i++)
            {
                var argument = commandLine[i];
                var name = Switch(argument);
                if (name == null)
                {
                    // A bare word is the script file: what follows is the script's.
                    return false;
                }

                if (name.Length >= 4 && "noninteractive".StartsWith(name, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }

                if (IsOneOf(name, "file", "f") || IsOneOf(name, "command", "c") || IsOneOf(name, "encodedcommand", "e", "ec") || IsOneOf(name, "commandwithargs", "cwa"))
                {
                    return false;
                }
            }

            return false;
        }

        private static string? Switch(string argument)
        {
            if (argument.StartsWith("--", StringComparison.Ordinal))
            {
                return argument.Substring(2);
            }

            if (argument.StartsWith("-", StringComparison.Ordinal) || (argument.StartsWith("/", StringComparison.Ordinal) && System.IO.Path.DirectorySeparatorChar == '\\'))
            {
                return argument.Substring(1);
            }

            return null;
        }

        private static bool IsOneOf(string name, string full, params string[] shortForms)
        {
            if (Array.Exists(shortForms, s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }

            return name.Length >= 2 && full.StartsWith(name, StringComparison.OrdinalIgnoreCase);
        }
    }
}
