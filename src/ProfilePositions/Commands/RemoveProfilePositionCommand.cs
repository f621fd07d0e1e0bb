using System;
using System.Threading.Tasks;
using ProfilePositions.Engine.Runtime;
using System.Management.Automation;
using ProfilePositions.Binding;

namespace ProfilePositions.Commands
{
    /// <summary>Deletes a work position from a user's profile.</summary>
    [Cmdlet(VerbsCommon.Remove, "ProfilePosition", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(bool))]
    public sealed class RemoveProfilePositionCommand : PositionCommand
    {
        /// <summary>
        /// The id of the position to delete. Required: on the command line, or from the Id column of piped rows and the
        /// Id of piped positions.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("Id")]
        public string? WorkPositionId { get; set; }

        /// <summary>Writes $true for each position deleted.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (MyInvocation.ExpectingInput == false && !CommandLine.Contains(nameof(WorkPositionId)) && InputObjectPositionId == null)
            {
                ThrowTerminatingError(ErrorRecords.Invalid("WorkPositionIdMissing", "Give -WorkPositionId (alias -Id): the id of the position to delete (Get-ProfilePosition shows it), or pipe positions or rows that have an Id.", null));
            }
        }

        protected override string ResumeHint => "Run the same command again: positions removed already are then reported as not found (PositionNotFound), the rest are removed.";

        protected override void ProcessItem()
        {
            var service = GetService();
            var target = ItemTarget(InputObject ?? (object?)WorkPositionId);
            string? positionId = null;
            try
            {
                positionId = UpdateProfilePositionCommand.ItemPositionId(Item, CommandLine.Contains(nameof(WorkPositionId)) ? WorkPositionId : InputObjectPositionId);
                var userId = ItemUserId;
                var checkedId = positionId;
                var (jobTitle, company) = PositionCaption.Of(Item);
                if (!Preflight(write: true, userId))
                {
                    Declined();
                    return;
                }

                if (!ShouldSend("Remove work position '" + positionId + "'" + PositionCaption.Describe(jobTitle, company) + " of '" + OutputUserId(userId) + "'", () => service.Describe("DELETE", userId, checkedId, null)))
                {
                    Declined();
                    return;
                }

                Submit(
                    async cancellationToken =>
                    {
                        await service.DeleteAsync(userId, checkedId, cancellationToken).ConfigureAwait(false);
                        return true;
                    },
                    _ => RunOutcome.Removed,
                    _ =>
                    {
                        if (PassThru)
                        {
                            WriteObject(true);
                        }
                    },
                    target,
                    positionId,
                    jobTitle);
            }
            catch (Exception exception) when (IsItemFailure(exception))
            {
                Fail(exception, target, positionId ?? Item?.Text(nameof(WorkPositionId)), PositionCaption.Of(Item).JobTitle);
            }
        }
    }
}
