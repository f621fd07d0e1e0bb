using System;
using System.Collections.Generic;
using System.Management.Automation;
using ProfilePositions.Binding;
using ProfilePositions.Connections;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Base of the position cmdlets: -UserId, -Connection, the hidden pipeline parameter that shows each piped object
    /// as it is, the numbering of pipeline rows, and per-item errors that name the row.
    /// </summary>
    public abstract class PositionCommand : ProfileGraphCommand
    {
        private int _rowCount;
        private IProfilePositionService? _service;

        /// <summary>
        /// The user whose profile holds the positions: an object id, a user principal name (guest #EXT# names,
        /// names starting with $ and names with apostrophes included) or me. Omitted on the command line means me;
        /// a piped row must carry it.
        /// </summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("UserPrincipalName", "UPN")]
        public string? UserId { get; set; }

        /// <summary>The connection to use: the object Connect-ProfileGraph wrote. Without it, this runspace's connection, else the process default.</summary>
        [Parameter]
        [ConnectionTransformation]
        public ProfileGraphContext? Connection { get; set; }

        /// <summary>The piped object itself, so that the cmdlet reads every row as it is. Not for use on the command line.</summary>
        [Parameter(ValueFromPipeline = true, DontShow = true)]
        [PipelineInputTransformation]
        public PSObject? PipelineInput { get; set; }

        /// <summary>The parameters typed on the command line (bound before the first pipeline item arrives).</summary>
        protected ISet<string> CommandLine { get; private set; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>The piped object being handled, read; null when the command runs on its command line alone.</summary>
        private protected PipelineItem? Item { get; private set; }

        /// <summary>
        /// Whether a piped body-shaped object (or the module's own output) is taken as the whole body. The cmdlet decides
        /// this itself from the object and the command line, not from the parameter set PowerShell resolved: the binder
        /// prefers the default set as soon as the hidden pipeline parameter (which is in every set) binds.
        /// </summary>
        protected virtual bool PipedBodiesAllowed => false;

        protected override void BeginProcessing()
        {
            CommandLine = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
            CommandLine.Remove(nameof(PipelineInput));
            _service = UseConnection(Connection).OpenSession(new SessionOptions { Events = EngineSink });
        }

        protected sealed override void ProcessRecord()
        {
            PipelineBinding.End();
            Item = null;
            if (PipelineInput != null)
            {
                _rowCount++;
                Item = PipelineItem.Read(PipelineInput, _rowCount, RowParameters.For(GetType()), PipedBodiesAllowed);
                WriteVerbose("Row " + Item.Number + ": " + Item.Describe() + ".");
            }

            ProcessItem();
        }

        /// <summary>Handles the command line or the pipeline item that was just bound (<see cref="Item"/>).</summary>
        protected abstract void ProcessItem();

        /// <summary>How many pipeline rows arrived so far.</summary>
        protected int RowCount => _rowCount;

        /// <summary>The position service of the connection this command uses.</summary>
        protected IProfilePositionService GetService() => _service!;

        /// <summary>
        /// The user this item addresses, as the engine wants it (null: /me). The command line wins; a piped row gives
        /// its own; a piped row without one fails rather than quietly writing to the signed-in user's own profile.
        /// </summary>
        protected string? ItemUserId
        {
            get
            {
                if (CommandLine.Contains(nameof(UserId)))
                {
                    if (UserId == null || UserId.Trim().Length == 0)
                    {
                        throw new PositionInputException("UserId", "-UserId is empty. Give an object id, a user principal name or 'me'; omit -UserId to work on your own profile.");
                    }

                    return UserId;
                }

                if (Item == null || Item.Kind == PipelineItemKind.Body)
                {
                    // A body carries no address: the command line decides, and without -UserId that is the signed-in user.
                    return null;
                }

                if (Item.Problem != null)
                {
                    throw new PositionInputException("Row", Item.Problem);
                }

                var text = Item.Text(nameof(UserId));
                if (text != null)
                {
                    return text;
                }

                throw new PositionInputException(
                    "UserId",
                    Item.HasColumn(nameof(UserId))
                        ? "UserId is empty for this row. Fill in an object id or a user principal name, or give -UserId on the command line (-UserId me for your own profile)."
                        : "This row has no UserId column (or UserPrincipalName, UPN), so it is not written to anyone; a piped row is never written to your own profile by default. Add the column, or give -UserId on the command line (-UserId me for your own profile).",
                    "UserIdMissing");
            }
        }

        /// <summary>The user as output objects carry it, so they can be piped to the next position cmdlet.</summary>
        protected static string OutputUserId(string? userId) => userId ?? "me";

        protected static WorkPosition WithUserId(WorkPosition position, string? userId)
        {
            position.UserId = OutputUserId(userId);
            return position;
        }

        /// <summary>The target of an error about this item: the piped object itself, else what the command line gave.</summary>
        protected object? ItemTarget(object? commandLineTarget) => Item != null ? Item.Target : commandLineTarget;

        /// <summary>Reports one failed item and lets the command carry on with the next one.</summary>
        protected void WriteItemError(Exception exception, object? target, string? positionId = null, string? jobTitle = null)
        {
            if (exception is NotConnectedException)
            {
                ThrowTerminatingError(ErrorRecords.From(exception, target));
            }

            WriteError(ErrorRecords.ForItem(exception, target, ItemLabel(positionId, jobTitle)));
        }

        /// <summary>"Row 3 (user 'x', position 'y', job title 'z')" for a piped item; "For user 'x'" for the command line.</summary>
        protected string ItemLabel(string? positionId, string? jobTitle)
        {
            var parts = new List<string>();
            string? user;
            if (CommandLine.Contains(nameof(UserId)) || Item == null || Item.Kind == PipelineItemKind.Body)
            {
                user = CommandLine.Contains(nameof(UserId)) ? UserId : "me";
            }
            else
            {
                user = Item.Text(nameof(UserId));
            }

            parts.Add(user == null ? "no UserId" : "user '" + user + "'");
            if (!string.IsNullOrEmpty(positionId))
            {
                parts.Add("position '" + positionId + "'");
            }

            if (!string.IsNullOrEmpty(jobTitle))
            {
                parts.Add("job title '" + jobTitle + "'");
            }

            return Item != null ? "Row " + Item.Number + " (" + string.Join(", ", parts) + ")" : "For " + string.Join(", ", parts);
        }

        /// <summary>True for failures that belong to one item; stopping the pipeline is not one of them.</summary>
        protected static bool IsItemFailure(Exception exception) => !(exception is PipelineStoppedException);
    }
}
