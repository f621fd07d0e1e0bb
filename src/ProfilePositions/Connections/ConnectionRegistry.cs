using System;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using ProfilePositions.Engine.Connection;

namespace ProfilePositions.Connections
{
    /// <summary>
    /// Whose connection a command uses. A connection belongs to the runspace that made it and never changes another
    /// runspace's: two ForEach-Object -Parallel runspaces signed in as different users each write as their own user.
    /// The process default is the connection of the first runspace that connected while the process had none; it
    /// follows that runspace when it reconnects and is cleared when it is disconnected. A runspace without a connection
    /// of its own uses the process default. Keyed by the runspace object, weakly, so a closed runspace's entry goes
    /// with it, and a closed runspace's connection stops being the process default. Only the cmdlets use this, on their pipeline thread; the engine keeps no connection.
    /// </summary>
    internal static class ConnectionRegistry
    {
        private static readonly object Gate = new object();
        private static readonly ConditionalWeakTable<Runspace, Owned> ByRunspace = new ConditionalWeakTable<Runspace, Owned>();
        private static ProfileGraphConnection? s_processDefault;

        // The runspace whose connection the process default is: once it is closed (a ForEach-Object -Parallel runspace
        // at the end of its command), its connection is nobody's default any more.
        private static WeakReference<Runspace>? s_processDefaultOwner;

        /// <summary>Makes <paramref name="connection"/> the runspace's own (and the process default when there is none, or when it was the runspace's previous one).</summary>
        public static void Register(Runspace? runspace, ProfileGraphConnection connection)
        {
            lock (Gate)
            {
                ProfileGraphConnection? previous = null;
                if (runspace != null)
                {
                    if (ByRunspace.TryGetValue(runspace, out var owned))
                    {
                        previous = owned.Connection;
                        owned.Connection = connection;
                    }
                    else
                    {
                        ByRunspace.Add(runspace, new Owned(connection));
                    }
                }

                if (!ProcessDefaultIsLive() || ReferenceEquals(s_processDefault, previous))
                {
                    s_processDefault = connection;
                    s_processDefaultOwner = runspace == null ? null : new WeakReference<Runspace>(runspace);
                }
            }
        }

        /// <summary>The runspace's own connection, else the process default; null when there is neither.</summary>
        public static ProfileGraphConnection? Resolve(Runspace? runspace, out bool isProcessDefault)
        {
            lock (Gate)
            {
                isProcessDefault = false;
                if (runspace != null && ByRunspace.TryGetValue(runspace, out var owned) && owned.Connection != null && !owned.Connection.IsRetired)
                {
                    return owned.Connection;
                }

                if (ProcessDefaultIsLive())
                {
                    isProcessDefault = true;
                    return s_processDefault;
                }

                return null;
            }
        }

        private static bool ProcessDefaultIsLive()
        {
            if (s_processDefault == null || s_processDefault.IsRetired)
            {
                return false;
            }

            if (s_processDefaultOwner != null && (!s_processDefaultOwner.TryGetTarget(out var owner) || IsClosed(owner.RunspaceStateInfo.State)))
            {
                s_processDefault = null;
                s_processDefaultOwner = null;
                return false;
            }

            return true;
        }

        private static bool IsClosed(RunspaceState state) => state == RunspaceState.Closed || state == RunspaceState.Closing || state == RunspaceState.Broken;

        /// <summary>Forgets a connection wherever it is registered (its runspace's entry, the process default); true when it was.</summary>
        public static bool Forget(Runspace? runspace, ProfileGraphConnection connection)
        {
            lock (Gate)
            {
                var found = false;
                if (runspace != null && ByRunspace.TryGetValue(runspace, out var owned) && ReferenceEquals(owned.Connection, connection))
                {
                    owned.Connection = null;
                    found = true;
                }

                if (ReferenceEquals(s_processDefault, connection))
                {
                    s_processDefault = null;
                    s_processDefaultOwner = null;
                    found = true;
                }

                return found;
            }
        }

        /// <summary>The runspace's own connection (not the process default); null when it has none.</summary>
        public static ProfileGraphConnection? Own(Runspace? runspace)
        {
            lock (Gate)
            {
                return runspace != null && ByRunspace.TryGetValue(runspace, out var owned) && owned.Connection != null && !owned.Connection.IsRetired
                    ? owned.Connection
                    : null;
            }
        }

        private sealed class Owned
        {
            public Owned(ProfileGraphConnection connection)
            {
                Connection = connection;
            }

            public ProfileGraphConnection? Connection { get; set; }
        }
    }
}
