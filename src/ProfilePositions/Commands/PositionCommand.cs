using System;
using System.Collections.Generic;
using System.Linq;
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
        private readonly HashSet<string> _warnedColumns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private int _rowCount;
        private bool _warnedUserOverride;
        private string? _account;
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
            var connection = UseConnection(Connection);
            _account = connection.Context.Account;
            _service = connection.OpenSession(new SessionOptions { Events = EngineSink });
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
                WarnIgnoredColumns();
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

                    WarnUserOverride();
                    return UserId;
                }

                if (Item == null)
                {
                    // The command line alone: without -UserId that is the signed-in user.
                    return null;
                }

                if (Item.Kind == PipelineItemKind.Body)
                {
                    throw new PositionInputException(
                        "UserId",
                        "A body piped without -UserId is not written to anyone: a piped object is never written to your own profile by default. Give -UserId (-UserId me for your own profile).",
                        "UserIdMissing");
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

                if (Item.DelimiterHint != null)
                {
                    throw new PositionInputException(
                        "UserId",
                        "This row arrived as one column whose name holds the others, so nothing in it can be read: the file seems to use '" + Item.DelimiterHint + "' between its columns. Read it with Import-Csv -Delimiter '" + Item.DelimiterHint + "'.",
                        "UserIdMissing");
                }

                throw new PositionInputException(
                    "UserId",
                    Item.HasColumn(nameof(UserId))
                        ? "UserId is empty for this row, so it is not written to anyone. Fill in the user's object id or user principal name."
                        : "This row has no UserId column (or UserPrincipalName, UPN), so it is not written to anyone; a piped row is never written to your own profile by default. Add the column, or give -UserId on the command line to write every row to that one user (-UserId me for your own profile).",
                    "UserIdMissing");
            }
        }

        /// <summary>Whether columns of piped rows that bind to nothing are named in a warning (New and Update: columns carry what to write).</summary>
        protected virtual bool WarnsAboutIgnoredColumns => false;

        /// <summary>
        /// The user as output objects carry it, so they can be piped to the next position cmdlet: /me is written as the
        /// signed-in account, so that a backup exported as one user and imported as another still names its owner.
        /// </summary>
        protected string OutputUserId(string? userId) =>
            (string.IsNullOrEmpty(userId) || string.Equals(userId, "me", StringComparison.OrdinalIgnoreCase)) && !string.IsNullOrEmpty(_account) ? _account! : userId ?? "me";

        protected WorkPosition WithUserId(WorkPosition position, string? userId)
        {
            position.UserId = OutputUserId(userId);
            return position;
        }

        /// <summary>Names, once per pipeline, the columns of piped rows that bind to no parameter.</summary>
        private void WarnIgnoredColumns()
        {
            if (!WarnsAboutIgnoredColumns || Item == null || !Item.IsTable || Item.IgnoredColumns.Count == 0)
            {
                return;
            }

            var fresh = Item.IgnoredColumns.Where(column => _warnedColumns.Add(column)).ToArray();
            if (fresh.Length == 0)
            {
                return;
            }

            var command = MyInvocation.MyCommand.Name;
            var one = fresh.Length == 1;
            var text = "Row " + Item.Number + ": " + (one ? "the column " : "the columns ") + string.Join(", ", fresh.Select(column => "'" + column + "'")) +
                (one ? " matches" : " match") + " no parameter of " + command + " and " + (one ? "is" : "are") + " ignored (said once per column).";
            if (Item.DelimiterHint != null)
            {
                text += " The file seems to use '" + Item.DelimiterHint + "' between its columns: read it with Import-Csv -Delimiter '" + Item.DelimiterHint + "'.";
            }
            else
            {
                var parameters = RowParameters.For(GetType());
                var hints = fresh.Select(column => (Column: column, Parameter: parameters.Suggest(column))).Where(pair => pair.Parameter != null).ToArray();
                foreach (var hint in hints)
                {
                    text += " Did you mean -" + hint.Parameter!.Name + " for '" + hint.Column + "'?";
                }

                text += " Rename " + (one ? "it" : "them") + " to a parameter name or alias (Get-Help " + command + " -Parameter * lists them).";
            }

            WriteWarning(text);
        }

        /// <summary>-UserId on the command line is used for every row: said once when a row names somebody else.</summary>
        private void WarnUserOverride()
        {
            if (_warnedUserOverride || Item == null || Item.Kind != PipelineItemKind.Row)
            {
                return;
            }

            var own = Item.Text(nameof(UserId));
            if (own != null && !string.Equals(own, UserId, StringComparison.OrdinalIgnoreCase))
            {
                _warnedUserOverride = true;
                WriteWarning("Row " + Item.Number + " names the user '" + own + "', but -UserId '" + UserId + "' on the command line is used for every row (said once). Leave out -UserId to write each row to its own user.");
            }
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
