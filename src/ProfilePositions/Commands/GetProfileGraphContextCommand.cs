using System.Management.Automation;
using ProfilePositions.Connections;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Writes the context of the connection a command here would use (this runspace's, else the process default, or the
    /// one given): account, tenant, scopes, endpoint, expiry; never the token. Writes nothing when not connected.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ProfileGraphContext")]
    [OutputType(typeof(ProfileGraphContext))]
    public sealed class GetProfileGraphContextCommand : ProfileGraphCommand
    {
        /// <summary>A connection to describe: the object Connect-ProfileGraph wrote (its current state is written).</summary>
        [Parameter]
        [ConnectionTransformation]
        public ProfileGraphContext? Connection { get; set; }

        protected override void EndProcessing()
        {
            var connection = ContextHandles.ConnectionOf(Connection) ?? ConnectionRegistry.Resolve(CurrentRunspace, out _);
            if (connection != null && !connection.IsRetired)
            {
                WriteObject(ContextHandles.ContextOf(connection));
            }
        }
    }
}
