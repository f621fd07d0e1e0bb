using System.Management.Automation;
using ProfilePositions.Engine.Connection;

namespace ProfilePositions.Commands
{
    /// <summary>Writes the current connection's context (account, tenant, scopes, endpoint, expiry; never the token), or nothing.</summary>
    [Cmdlet(VerbsCommon.Get, "ProfileGraphContext")]
    [OutputType(typeof(ProfileGraphContext))]
    public sealed class GetProfileGraphContextCommand : ProfileGraphCommand
    {
        protected override void EndProcessing()
        {
            var context = ProfileGraphSession.Current;
            if (context != null)
            {
                WriteObject(context);
            }
        }
    }
}
