using System;
using System.Management.Automation;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Commands
{
    /// <summary>Base of the four position cmdlets: the -UserId parameter, the connection, and per-item errors.</summary>
    public abstract class PositionCommand : ProfileGraphCommand
    {
        /// <summary>
        /// The user whose profile holds the positions: an object id, a user principal name (guest #EXT# names,
        /// names starting with $ and names with apostrophes included) or me. Omitted means me.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("UserPrincipalName")]
        public string? UserId { get; set; }

        /// <summary>
        /// The user as the engine wants it: null addresses /me. A UserId that is given but blank (an empty CSV cell)
        /// fails that item rather than quietly writing to the signed-in user's own profile.
        /// </summary>
        protected string? EngineUserId
        {
            get
            {
                if (UserId != null && UserId.Trim().Length == 0)
                {
                    throw new PositionInputException("UserId", "UserId is empty for this item. Give an object id, a user principal name or 'me'; omit -UserId (or the column) to work on your own profile.");
                }

                return UserId;
            }
        }

        /// <summary>The user as output objects carry it, so they can be piped to the next position cmdlet.</summary>
        protected string OutputUserId => string.IsNullOrWhiteSpace(UserId) ? "me" : UserId!;

        /// <summary>The current connection's service; stops the whole command when there is no connection.</summary>
        protected IProfilePositionService GetService()
        {
            try
            {
                return ProfileGraphSession.GetPositionService();
            }
            catch (NotConnectedException exception)
            {
                ThrowTerminatingError(ErrorRecords.From(exception, null));
                throw;
            }
        }

        protected WorkPosition WithUserId(WorkPosition position)
        {
            position.UserId = OutputUserId;
            return position;
        }

        /// <summary>Reports one failed item and lets the command carry on with the next one.</summary>
        protected void WriteItemError(Exception exception, object? target)
        {
            if (exception is NotConnectedException)
            {
                ThrowTerminatingError(ErrorRecords.From(exception, target));
            }

            WriteError(ErrorRecords.ForItem(exception, target, ItemLabel()));
        }

        /// <summary>Names the item in a per-item error, so a failure in a long import says which row it was.</summary>
        protected virtual string ItemLabel() => "user '" + OutputUserId + "'";

        /// <summary>True for failures that belong to one item; stopping the pipeline is not one of them.</summary>
        protected static bool IsItemFailure(Exception exception) => !(exception is PipelineStoppedException);
    }
}
