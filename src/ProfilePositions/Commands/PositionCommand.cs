using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Binding;
using ProfilePositions.Connections;
using ProfilePositions.Engine.Batching;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;
using ProfilePositions.Engine.Runtime;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Base of the position cmdlets: -UserId, -Connection, the hidden pipeline parameter that shows each piped object
    /// as it is, the numbering of pipeline rows, per-item errors that name the row, and the bulk runtime: each item's
    /// work starts in its ProcessRecord and runs on (in $batch envelopes, several in flight) while later items are read;
    /// results are written in input order as they end, with progress, and a summary at the end (also after Ctrl+C).
    /// </summary>
    public abstract class PositionCommand : ProfileGraphCommand
    {
        private const int ProgressActivityId = 4711;
        private static readonly TimeSpan ProgressAfter = TimeSpan.FromSeconds(2);
        private static readonly TimeSpan ProgressEvery = TimeSpan.FromMilliseconds(500);
        private OrderedWindow? _window;
        private RunTally? _tally;
        private PositionRunSummary? _stoppedSummary;
        private TimeSpan _nextProgress = ProgressAfter;
        private bool _progressShown;
        private bool _inputComplete;
        private bool _finished;
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

        /// <summary>Operations per JSON $batch request, 1 to 20; 1 sends one request per operation.</summary>
        [Parameter]
        [ValidateRange(1, 20)]
        public int BatchSize { get; set; } = 20;

        /// <summary>$batch requests (or single requests) in flight at once; fewer for a while when Graph throttles.</summary>
        [Parameter]
        [ValidateRange(1, 64)]
        public int ThrottleLimit { get; set; } = 4;

        /// <summary>How many times an operation is sent again after throttling, an unavailable service or a lost connection.</summary>
        [Parameter]
        [ValidateRange(0, 10)]
        public int MaxRetry { get; set; } = 3;

        /// <summary>How long one request waits for its answer, in seconds.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int TimeoutSec { get; set; } = 100;

        /// <summary>Stores the run's summary (a PositionRunSummary) in a variable of this name, also when the run is stopped.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SummaryVariable { get; set; }

        /// <summary>
        /// The user (and position) as one object, as Microsoft's *ViaIdentity parameter sets take it: a hashtable or
        /// object with UserId (or UserPrincipalName) and WorkPositionId (or Id), or a position from Get-ProfilePosition.
        /// It stands for -UserId and -WorkPositionId on the command line; piped objects bind by their own columns.
        /// </summary>
        [Parameter]
        public PSObject? InputObject { get; set; }

        /// <summary>Extra request headers, added to every request of this command (in each $batch item); Authorization and Host are refused.</summary>
        [Parameter]
        public System.Collections.IDictionary? Headers { get; set; }

        /// <summary>
        /// Stores the headers of each item's own answer (a hashtable, names case-insensitive) in a variable of this name,
        /// set just before that item's output is written, so it ends holding the last item's.
        /// </summary>
        [Parameter]
        [Alias("RHV")]
        [ValidateNotNullOrEmpty]
        public string? ResponseHeadersVariable { get; set; }

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

        /// <summary>Whether a piped string is a user id (Get: 'a@x','b@x' | Get-ProfilePosition) rather than JSON text or nothing.</summary>
        private protected virtual bool PipedTextIsUserId => false;

        private string? _inputObjectUserId;

        /// <summary>The user the command line names: -UserId, or the user of -InputObject.</summary>
        private string? CommandLineUserId => _inputObjectUserId ?? UserId;

        /// <summary>The position -InputObject names, or null; it stands for -WorkPositionId on the command line.</summary>
        protected string? InputObjectPositionId { get; private set; }

        protected override void BeginProcessing()
        {
            CommandLine = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
            CommandLine.Remove(nameof(PipelineInput));
            ReadInputObject();
            var headers = ReadHeaders();
            var connection = UseConnection(Connection);
            _account = connection.Context.Account;
            EngineSink.WantsVerbose = VerboseWanted;
            EngineSink.WantsDebug = DebugWanted;
            var counters = new BulkCounters();
            _tally = new RunTally(MyInvocation.MyCommand.Name, counters);
            _window = new OrderedWindow(_tally);
            _service = connection.OpenSession(new SessionOptions
            {
                Events = EngineSink,
                BatchSize = BatchSize,
                ThrottleLimit = ThrottleLimit,
                MaxRetries = MaxRetry,
                Timeout = TimeSpan.FromSeconds(TimeoutSec),
                Counters = counters,
                Headers = headers,
            });
        }

        /// <summary>-InputObject stands for -UserId (and -WorkPositionId) on the command line; giving both is refused.</summary>
        private void ReadInputObject()
        {
            if (InputObject == null)
            {
                return;
            }

            var given = new[] { nameof(UserId), "WorkPositionId" }.Where(CommandLine.Contains).ToArray();
            if (given.Length > 0)
            {
                ThrowTerminatingError(ErrorRecords.Invalid("InputObjectConflict", "-InputObject names the user and the position; give it or " + string.Join(" and ", given.Select(name => "-" + name)) + ", not both.", InputObject));
            }

            try
            {
                var identity = CommandLineIdentity.Read(InputObject);
                // Kept apart from the UserId property, which PowerShell binds again from each piped row's columns.
                _inputObjectUserId = identity.UserId;
                CommandLine.Add(nameof(UserId));
                InputObjectPositionId = identity.PositionId;
            }
            catch (PositionInputException exception)
            {
                ThrowTerminatingError(ErrorRecords.From(exception, InputObject));
            }
        }

        private IReadOnlyDictionary<string, string>? ReadHeaders()
        {
            if (Headers == null)
            {
                return null;
            }

            try
            {
                return RequestHeaders.Read(Headers);
            }
            catch (PositionInputException exception)
            {
                ThrowTerminatingError(ErrorRecords.From(exception, Headers));
                return null;
            }
        }

        protected sealed override void ProcessRecord()
        {
            PipelineBinding.End();
            Item = null;
            if (PipelineInput != null)
            {
                _rowCount++;
                Item = PipelineItem.Read(PipelineInput, _rowCount, RowParameters.For(GetType()), PipedBodiesAllowed, PipedTextIsUserId);
                if (VerboseWanted)
                {
                    WriteVerbose(ProfilePositions.Engine.EngineEvents.OneLine("Row " + Item.Number + ": " + Item.Describe() + "."));
                }

                WarnIgnoredColumns();
            }

            Tally.Items++;
            _itemNotes = ResponseHeadersVariable == null ? null : new ResponseNotes();
            ProcessItem();
            WriteEngineEvents();
            if (_preflightStop)
            {
                // The preflight refused this item: the rows before it are sent and settled (their results written in
                // order), then its error stops the run; no later row is read.
                _service?.Flush();
                Window.Finish(Wait);
            }

            Window.WriteReady();
            ReportProgress();
        }

        private bool _preflightStop;

        /// <summary>Whether this cmdlet takes -WhatIf (Get-ProfilePosition does not, whatever $WhatIfPreference says).</summary>
        private bool SupportsShouldProcess =>
            GetType().GetCustomAttributes(typeof(CmdletAttribute), false).OfType<CmdletAttribute>().FirstOrDefault()?.SupportsShouldProcess ?? false;

        private readonly HashSet<string> _whatIfRefusals = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// The scope preflight for this item, before anything is sent or shown: true when it may go ahead. When the
        /// connection's token certainly lacks the scope (another user's profile without a .All scope, a write without
        /// any write scope) a run throws the refusal, which stops it at this item once the earlier ones have ended; under
        /// -WhatIf the refusal is a warning (once per missing scope) and the item is not shown, as a run would not send it.
        /// </summary>
        protected bool Preflight(bool write, string? userId)
        {
            var refusal = _service?.Preflight(write, userId);
            if (refusal == null)
            {
                return true;
            }

            if (SupportsShouldProcess && IsWhatIf())
            {
                if (_whatIfRefusals.Add(refusal.Scope))
                {
                    WriteWarning((Item != null ? "Row " + Item.Number + ": " : string.Empty) + "without -WhatIf the command would stop here. " + refusal.Message);
                }

                return false;
            }

            _preflightStop = true;
            throw refusal;
        }

        /// <summary>Waits for every item still running and writes the results in order; then the summary.</summary>
        protected override void EndProcessing()
        {
            _inputComplete = true;
            _service?.Flush();
            Window.Finish(Wait);
            _finished = true;
            if (_progressShown)
            {
                WriteProgress(new ProgressRecord(ProgressActivityId, MyInvocation.MyCommand.Name, "Done") { RecordType = ProgressRecordType.Completed });
            }

            WriteWhatIfTotal();
            var summary = Tally.Summary(stopped: false, unsettled: 0);
            WriteInformation(summary.ToString(), new[] { "Summary" });
            if (Tally.Items > 1)
            {
                WriteVerbose(summary.ToString());
            }

            SetSummaryVariable(summary);
        }

        protected override void OnDispose(bool stopped)
        {
            try
            {
                if (_stoppedSummary != null)
                {
                    // The terminating error said it already.
                    SetSummaryVariable(_stoppedSummary);
                }
                else if (!_finished && _window != null && (stopped || _window.Count > 0))
                {
                    // Ctrl+C (or a terminating error): no Write* any more, but the host and the variable still can be reached.
                    var summary = Tally.Summary(stopped: true, unsettled: _window.CountUnwritten());
                    Host?.UI?.WriteWarningLine(summary + (summary.Unknown > 0 ? " " + ResumeHint : string.Empty));
                    SetSummaryVariable(summary);
                }
            }
            finally
            {
                _service?.Dispose();
            }
        }

        protected override void OnWaiting() => ReportProgress();

        /// <summary>How to settle a run that was stopped or could not reach Graph: what running it again does.</summary>
        protected virtual string ResumeHint => "Run the command again to finish.";

        /// <summary>Handles the command line or the pipeline item that was just bound (<see cref="Item"/>).</summary>
        protected abstract void ProcessItem();

        private protected RunTally Tally => _tally!;

        private OrderedWindow Window => _window!;

        /// <summary>
        /// Starts an item's work and lets the pipeline go on: its result (or error) is written in input order when its
        /// turn comes. The error's label (the row, user, position) is taken now, while the item is the current one.
        /// </summary>
        /// <param name="label">The error's label when the item is not the current pipeline item (a sync's writes, planned after
        /// the input ended); row is then the row it names, if any.</param>
        /// <param name="onFailed">Runs after the item's error was written (not when the error stops the run).</param>
        private protected void Submit<T>(Func<CancellationToken, Task<T>> start, Func<T, RunOutcome> outcome, Action<T> onResult, object? target, string? positionId, string? jobTitle, string? label = null, int? row = null, Action<Exception>? onFailed = null)
        {
            Task<T> task;
            var mark = new ItemMark();
            try
            {
                using (mark.Enter())
                {
                    task = start(StopToken);
                }
            }
            catch (Exception exception)
            {
                task = FromException<T>(exception);
            }

            // The label is built only if the item fails, from the item as it is now.
            var item = Item;
            var notes = _itemNotes;
            if (notes != null)
            {
                // Set just before the item's output, so a downstream command sees the headers of the object it gets.
                var write = onResult;
                onResult = result =>
                {
                    SetResponseHeaders(notes);
                    write(result);
                };
            }

            Window.Add(new PendingResult<T>(task, outcome, onResult, exception =>
            {
                OnItemError(exception, target, label ?? ItemLabel(item, positionId, jobTitle), label != null ? row : item?.Number);
                onFailed?.Invoke(exception);
            }, mark));
            Window.MakeRoom(Wait, () => _service?.Flush());
        }

        /// <summary>An item that failed before anything was sent: its error takes its place in the output order.</summary>
        protected void Fail(Exception exception, object? target, string? positionId, string? jobTitle) =>
            Submit<bool>(_ => FromException<bool>(exception), _ => RunOutcome.Read, _ => { }, target, positionId, jobTitle);

        /// <summary>
        /// Asks ShouldProcess with the exact request, so -WhatIf and -Confirm show the method, URL and JSON. The request's
        /// text is built only when it will be shown: a run of 100,000 rows that asks nothing does not serialize each body
        /// twice.
        /// </summary>
        protected bool ShouldSend(string action, Func<RequestPreview> preview)
        {
            if (!WouldAskFirst())
            {
                // Nothing will be shown or asked: PowerShell would answer yes (after a verbose "Performing the operation"
                // line when -Verbose is on, which it still writes).
                return !VerboseWanted || ShouldProcess(action);
            }

            var request = preview();
            var text = request.ToString();
            var answer = ShouldProcess(action + ": " + text, action + "?" + Environment.NewLine + text, "Confirm", out var reason);
            if (!answer && reason == ShouldProcessReason.WhatIf)
            {
                _whatIfTotal.Count(request.Method);
            }

            return answer;
        }

        private readonly WhatIfTotal _whatIfTotal = new WhatIfTotal();

        /// <summary>
        /// Under -WhatIf over several items, one last "What if:" line with what the run would send. It goes through
        /// ShouldProcess, which under -WhatIf only prints, so it reaches the host, the transcript and PowerShell's own
        /// localised "What if:" prefix exactly as the items' lines did.
        /// </summary>
        private void WriteWhatIfTotal()
        {
            if (Tally.Items < 2 || !(_whatIfTotal.Any || IsWhatIf()))
            {
                return;
            }

            var total = _whatIfTotal.Describe(MyInvocation.MyCommand.Name, Tally.Items, Tally.Skipped, Tally.Failed);
            ShouldProcess(total, total, "Confirm");
        }

        /// <summary>
        /// Whether ShouldProcess will show or ask before it answers (-WhatIf, -Confirm, or $WhatIfPreference and
        /// $ConfirmPreference set so), rather than simply say yes. The same for every item of a command.
        /// </summary>
        protected bool WouldAskFirst() => _wouldAsk ??= ComputeWouldAsk();

        private bool? _wouldAsk;

        /// <summary>Whether ShouldProcess answers as -WhatIf does: -WhatIf given, or $WhatIfPreference set and -WhatIf not given.</summary>
        private bool IsWhatIf() =>
            MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf) ? LanguagePrimitives.IsTrue(whatIf) : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

        private bool ComputeWouldAsk()
        {
            if (IsWhatIf())
            {
                return true;
            }

            var bound = MyInvocation.BoundParameters;
            if (bound.TryGetValue("Confirm", out var confirm))
            {
                return LanguagePrimitives.IsTrue(confirm);
            }

            var impact = GetType().GetCustomAttributes(typeof(CmdletAttribute), false).OfType<CmdletAttribute>().FirstOrDefault()?.ConfirmImpact ?? ConfirmImpact.Medium;
            return LanguagePrimitives.TryConvertTo<ConfirmImpact>(GetVariableValue("ConfirmPreference"), out var preference)
                && preference != ConfirmImpact.None && impact >= preference;
        }

        /// <summary>Counts a write that -WhatIf showed instead of sending, for the total line at the end.</summary>
        private protected void NoteWhatIf(string method) => _whatIfTotal.Count(method);

        /// <summary>Whether ShouldProcess answers as -WhatIf does.</summary>
        private protected bool WhatIfOn => IsWhatIf();

        /// <summary>An item declined at -WhatIf or -Confirm: counted as not sent.</summary>
        protected void Declined() => Tally.NotSent++;

        private static Task<T> FromException<T>(Exception exception)
        {
            var failed = new TaskCompletionSource<T>();
            failed.SetException(exception);
            return failed.Task;
        }

        private void OnItemError(Exception exception, object? target, string label, int? row)
        {
            if (exception is PipelineStoppedException || (exception is OperationCanceledException && IsStopping))
            {
                throw new PipelineStoppedException();
            }

            if (exception is NotConnectedException)
            {
                ThrowTerminatingError(ErrorRecords.From(exception, target));
            }

            if (exception is MissingScopeException refused && refused.GraphAnswer == null)
            {
                // The preflight refused it: nothing was sent for this row.
                Tally.NotSent++;
            }
            else
            {
                Tally.Failed++;
            }

            if (exception is ConnectionException stopping && stopping.StopsTheRun)
            {
                // Graph cannot be reached at all, or the sign-in cannot be renewed: every remaining row would fail the
                // same way, at length.
                CancelWork();
                // "Row 3 (user 'x', ...)" reads "stopped at row 3 (user 'x', ...)"; the command line's "For user 'x'" reads "(user 'x')".
                var where = row.HasValue ? "r" + label.Substring(1) : "this item (" + label.Substring("For ".Length) + ")";
                _stoppedSummary = Tally.Summary(stopped: true, unsettled: Window.CountUnwritten());
                var resume = stopping.BeforeResuming != null ? "After " + stopping.BeforeResuming + ", " + Lower(ResumeHint) : ResumeHint;
                var noun = row.HasValue ? "rows" : "items";
                var sent = _stoppedSummary.Items - _stoppedSummary.NotSent;
                var succeeded = Tally.Done - Tally.Failed - Tally.NotSent;
                var counts = sent + " of " + _stoppedSummary.Items + " " + noun + " read were sent, " + succeeded + " of them succeeded.";
                var record = ErrorRecords.From(new RunStoppedException(stopping, "Stopped at " + where + ": " + counts + " " + _stoppedSummary.ToString() + " " + resume), target);
                ThrowTerminatingError(record);
            }

            WriteError(ErrorRecords.ForItem(exception, target, label));
        }

        private static string Lower(string text) => char.ToLowerInvariant(text[0]) + text.Substring(1);

        private void ReportProgress()
        {
            if (_tally == null || _tally.Elapsed < _nextProgress)
            {
                return;
            }

            _nextProgress = _tally.Elapsed + ProgressEvery;
            _progressShown = true;
            var progress = new ProgressRecord(ProgressActivityId, MyInvocation.MyCommand.Name, _tally.Status(_inputComplete));
            if (_inputComplete && _tally.Items > 0)
            {
                progress.PercentComplete = Math.Min(100, _tally.Done * 100 / _tally.Items);
            }

            WriteProgress(progress);
        }

        private void SetSummaryVariable(PositionRunSummary summary)
        {
            if (!string.IsNullOrEmpty(SummaryVariable))
            {
                SessionState.PSVariable.Set(SummaryVariable, summary);
            }
        }

        /// <summary>How many pipeline rows arrived so far.</summary>
        protected int RowCount => _rowCount;

        /// <summary>
        /// The position service of the connection this command uses; under -ResponseHeadersVariable a view of it whose
        /// requests note the current item's answer.
        /// </summary>
        protected IProfilePositionService GetService() => _itemNotes == null ? _service! : _service!.WithNotes(_itemNotes);

        private ResponseNotes? _itemNotes;

        private void SetResponseHeaders(ResponseNotes notes)
        {
            Hashtable? headers = null;
            if (notes.Headers != null)
            {
                headers = new Hashtable(StringComparer.OrdinalIgnoreCase);
                foreach (var header in notes.Headers)
                {
                    headers[header.Key] = header.Value;
                }
            }

            SessionState.PSVariable.Set(ResponseHeadersVariable!, headers);
        }

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
                    var userId = CommandLineUserId;
                    if (userId == null || userId.Trim().Length == 0)
                    {
                        throw new PositionInputException("UserId", "-UserId is empty. Give an object id, a user principal name or 'me'; omit -UserId to work on your own profile.");
                    }

                    WarnUserOverride();
                    return userId;
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
            if (own != null && !string.Equals(own, CommandLineUserId, StringComparison.OrdinalIgnoreCase))
            {
                _warnedUserOverride = true;
                var given = _inputObjectUserId != null ? "-InputObject's user '" : "-UserId '";
                WriteWarning("Row " + Item.Number + " names the user '" + own + "', but " + given + CommandLineUserId + "' on the command line is used for every row (said once). Leave out " + (_inputObjectUserId != null ? "-InputObject" : "-UserId") + " to write each row to its own user.");
            }
        }

        /// <summary>The target of an error about this item: the piped object itself, else what the command line gave.</summary>
        protected object? ItemTarget(object? commandLineTarget) => Item != null ? Item.Target : commandLineTarget;


        /// <summary>"Row 3 (user 'x', position 'y', job title 'z')" for a piped item; "For user 'x'" for the command line.</summary>
        private string ItemLabel(PipelineItem? item, string? positionId, string? jobTitle)
        {
            var parts = new List<string>();
            string? user;
            if (CommandLine.Contains(nameof(UserId)) || item == null || item.Kind == PipelineItemKind.Body)
            {
                user = CommandLine.Contains(nameof(UserId)) ? CommandLineUserId : "me";
            }
            else
            {
                user = item.Text(nameof(UserId));
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

            return item != null ? "Row " + item.Number + " (" + string.Join(", ", parts) + ")" : "For " + string.Join(", ", parts);
        }

        /// <summary>True for failures that belong to one item; stopping the pipeline is not one of them.</summary>
        protected static bool IsItemFailure(Exception exception) => !(exception is PipelineStoppedException);
    }
}
