using System.Management.Automation;
using ProfilePositions.Connections;
using ProfilePositions.Engine.Connection;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Forgets this runspace's connection (or the one given with -Connection): its tokens in memory and, for
    /// -ContextScope CurrentUser, its cache on disk. Other runspaces' connections are left alone.
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "ProfileGraph")]
    [OutputType(typeof(ProfileGraphContext))]
    public sealed class DisconnectProfileGraphCommand : ProfileGraphCommand
    {
        /// <summary>The connection to forget: the object Connect-ProfileGraph wrote. Without it, this runspace's own connection.</summary>
        [Parameter]
        [ConnectionTransformation]
        public ProfileGraphContext? Connection { get; set; }

        /// <summary>Writes the context that was removed.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            var connection = ContextHandles.ConnectionOf(Connection) ?? ConnectionRegistry.Own(CurrentRunspace);
            if (connection == null)
            {
                // Nothing in memory: still clean up a sign-in persisted by an earlier session (-ContextScope CurrentUser).
                var forgotten = ForgetPersistedSignIn();
                var fallback = ConnectionRegistry.Resolve(CurrentRunspace, out _);
                WriteVerbose(fallback == null
                    ? (forgotten ? "There was no connection in memory to forget." : "There was no connection to forget.")
                    : "This runspace has no connection of its own to forget; the process's default connection (" + fallback.Describe() + ") belongs to another runspace and was left alone. Use -Connection to forget it.");
                return;
            }

            var removed = ContextHandles.ContextOf(connection);
            ConnectionRegistry.Forget(CurrentRunspace, connection);
            // Synchronous and on the pipeline thread, so the warnings can be written directly.
            foreach (var problem in connection.Disconnect())
            {
                WriteWarning(problem);
            }

            if (removed.ContextScope == "CurrentUser")
            {
                ForgetPersistedSignIn();
            }

            WriteVerbose("Forgot the connection " + connection.Describe() + ".");
            if (PassThru)
            {
                removed.Connection = null;
                WriteObject(removed);
            }
        }

        /// <summary>
        /// Removes a persisted sign-in and says which files went, on the host as Write-Host would (the information
        /// stream, tagged PSHOST): seen at the console, in a transcript, and by 6&gt;&amp;1. True when anything was removed.
        /// </summary>
        private bool ForgetPersistedSignIn()
        {
            var forgotten = ProfileGraphConnector.ForgetPersistedSignIn();
            foreach (var problem in forgotten.Problems)
            {
                WriteWarning(problem);
            }

            if (forgotten.Removed.Count > 0)
            {
                var message = "Removed the saved sign-in (-ContextScope CurrentUser): " + string.Join(", ", forgotten.Removed) + ". The next Connect-ProfileGraph signs in again.";
                WriteInformation(new HostInformationMessage { Message = message }, new[] { "PSHOST" });
            }

            return forgotten.Removed.Count > 0;
        }
    }
}
