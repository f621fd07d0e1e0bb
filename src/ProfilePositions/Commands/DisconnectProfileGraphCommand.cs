using System.Management.Automation;
using ProfilePositions.Engine.Connection;

namespace ProfilePositions.Commands
{
    /// <summary>Forgets the connection: tokens in memory and, for -ContextScope CurrentUser, the cache on disk.</summary>
    [Cmdlet(VerbsCommunications.Disconnect, "ProfileGraph")]
    [OutputType(typeof(ProfileGraphContext))]
    public sealed class DisconnectProfileGraphCommand : ProfileGraphCommand
    {
        /// <summary>Writes the context that was removed.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void EndProcessing()
        {
            // Synchronous and on the pipeline thread, so the warnings can be written directly.
            var removed = ProfileGraphSession.Disconnect(WriteWarning);
            if (removed == null)
            {
                WriteVerbose("There was no connection to forget.");
            }
            else if (PassThru)
            {
                WriteObject(removed);
            }
        }
    }
}
