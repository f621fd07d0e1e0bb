using System;
using System.Management.Automation;

namespace ProfilePositions.Commands
{
    /// <summary>Deletes a work position from a user's profile.</summary>
    [Cmdlet(VerbsCommon.Remove, "ProfilePosition", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(bool))]
    public sealed class RemoveProfilePositionCommand : PositionCommand
    {
        /// <summary>The id of the position to delete; binds from the Id property of piped positions.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        [ValidateNotNullOrEmpty]
        public string WorkPositionId { get; set; } = string.Empty;

        protected override string ItemLabel() => "position '" + WorkPositionId + "' of user '" + OutputUserId + "'";

        /// <summary>Writes $true for each position deleted.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            var service = GetService();
            try
            {
                var preview = service.Describe("DELETE", EngineUserId, WorkPositionId, null);
                var request = preview.ToString();
                var action = "Remove work position '" + WorkPositionId + "' of '" + OutputUserId + "'";
                if (!ShouldProcess(action + ": " + request, action + "?" + Environment.NewLine + request, "Confirm"))
                {
                    return;
                }

                RunEngine(cancellationToken => service.DeleteAsync(EngineUserId, WorkPositionId, cancellationToken));
                if (PassThru)
                {
                    WriteObject(true);
                }
            }
            catch (Exception exception) when (IsItemFailure(exception))
            {
                WriteItemError(exception, WorkPositionId);
            }
        }
    }
}
