using System;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Connections;
using ProfilePositions.Engine;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Base of every cmdlet in the module: finds the connection a command uses, runs the engine's async calls while the
    /// pipeline thread waits, and writes whatever the engine reported from its worker threads on the pipeline thread,
    /// because PowerShell allows Write* calls only there.
    /// </summary>
    public abstract class ProfileGraphCommand : PSCmdlet, IDisposable
    {
        // Cancelled when the user presses Ctrl+C or a downstream command stops the pipeline.
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private IDisposable? _lease;

        protected override void StopProcessing() => _stopping.Cancel();

        public void Dispose()
        {
            try
            {
                OnDispose(_stopping.IsCancellationRequested);
            }
            finally
            {
                // Work queued for this pipeline thread (a token provider call) will not run any more.
                EngineSink.Close();
                _lease?.Dispose();
                _lease = null;
                _stopping.Dispose();
                GC.SuppressFinalize(this);
            }
        }

        /// <summary>
        /// Called as the pipeline unwinds, also after Ctrl+C (stopped), on the pipeline thread; no Write* is allowed any
        /// more, but the host and the session state are.
        /// </summary>
        protected virtual void OnDispose(bool stopped)
        {
        }

        /// <summary>Stops the command's work at once, as Ctrl+C would (before a terminating error).</summary>
        protected void CancelWork() => _stopping.Cancel();

        /// <summary>True after Ctrl+C or a stop from downstream.</summary>
        protected bool IsStopping => _stopping.IsCancellationRequested;

        /// <summary>The runspace this command runs in: a connection belongs to the runspace that made it.</summary>
        protected static Runspace? CurrentRunspace => Runspace.DefaultRunspace;

        /// <summary>
        /// The connection this command uses, leased until the command ends: the one given with -Connection, else this
        /// runspace's own, else the process default (said in verbose output, since it was made elsewhere). Stops the
        /// command with NotConnected when there is none.
        /// </summary>
        protected ProfileGraphConnection UseConnection(ProfileGraphContext? given)
        {
            var connection = ContextHandles.ConnectionOf(given);
            var isDefault = false;
            if (connection == null)
            {
                connection = ConnectionRegistry.Resolve(CurrentRunspace, out isDefault);
            }

            if (connection == null)
            {
                ThrowTerminatingError(ErrorRecords.From(new NotConnectedException(), null));
            }

            try
            {
                _lease?.Dispose();
                _lease = connection!.Lease();
            }
            catch (NotConnectedException exception)
            {
                ThrowTerminatingError(ErrorRecords.From(exception, given));
            }

            if (isDefault)
            {
                WriteVerbose("This runspace has not run Connect-ProfileGraph; using the process's default connection: " + connection!.Describe() + ".");
            }

            return connection!;
        }

        /// <summary>Where the engine reports while this command runs; written by <see cref="WriteEngineEvents"/> on the pipeline thread.</summary>
        protected EngineEvents EngineSink { get; } = new EngineEvents();

        /// <summary>Cancelled when the user presses Ctrl+C or a downstream command stops the pipeline.</summary>
        protected CancellationToken StopToken => _stopping.Token;

        /// <summary>Runs an engine call to completion on the pipeline thread, writing what the engine reports meanwhile.</summary>
        protected T RunEngine<T>(Func<CancellationToken, Task<T>> start)
        {
            var task = Start(start);
            Wait(task);
            try
            {
                return task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Runs an engine call that returns nothing.</summary>
        protected void RunEngine(Func<CancellationToken, Task> start)
        {
            RunEngine<bool>(async cancellationToken =>
            {
                await start(cancellationToken).ConfigureAwait(false);
                return true;
            });
        }

        /// <summary>Waits for a task on the pipeline thread, writing the engine's events as they come.</summary>
        protected void Wait(Task task)
        {
            var handles = new[] { ((IAsyncResult)task).AsyncWaitHandle, EngineSink.Signal };
            while (!task.IsCompleted)
            {
                WaitHandle.WaitAny(handles, WaitTick);
                WriteEngineEvents();
                OnWaiting();
            }

            WriteEngineEvents();
        }

        /// <summary>How often a long wait gives <see cref="OnWaiting"/> a turn (progress).</summary>
        private static readonly TimeSpan WaitTick = TimeSpan.FromMilliseconds(250);

        /// <summary>Called on the pipeline thread while a wait goes on (for progress).</summary>
        protected virtual void OnWaiting()
        {
        }

        /// <summary>Writes whatever the engine reported so far; on the pipeline thread only.</summary>
        protected void WriteEngineEvents()
        {
            var debugOnly = DebugWithoutVerbose();
            while (EngineSink.TryTake(out var engineEvent))
            {
                switch (engineEvent.Kind)
                {
                    case EngineEventKind.Warning:
                        WriteWarning(engineEvent.Text);
                        break;
                    case EngineEventKind.Host:
                        WriteHostLine(engineEvent.Text);
                        break;
                    case EngineEventKind.Call:
                        // The engine's request for work on this thread (the token provider); it hands back the result itself.
                        engineEvent.Run?.Invoke();
                        break;
                    case EngineEventKind.Debug:
                        WriteDebug(engineEvent.Text);
                        break;
                    default:
                        if (debugOnly)
                        {
                            WriteDebug(engineEvent.Text);
                        }
                        else
                        {
                            WriteVerbose(engineEvent.Text);
                        }

                        break;
                }
            }
        }

        /// <summary>
        /// Whether a verbose line would be shown (or go to the debug stream): its text is built only then, since a
        /// verbose line per item costs as much as the item's own work in a large import.
        /// </summary>
        protected bool VerboseWanted => _verboseWanted ??= ComputeVerboseWanted();

        private bool? _verboseWanted;

        private bool ComputeVerboseWanted()
        {
            var bound = MyInvocation.BoundParameters;
            if (bound.TryGetValue("Verbose", out var verbose))
            {
                return LanguagePrimitives.IsTrue(verbose);
            }

            if (bound.TryGetValue("Debug", out var debug) && LanguagePrimitives.IsTrue(debug))
            {
                return true;
            }

            return !LanguagePrimitives.TryConvertTo<ActionPreference>(GetVariableValue("VerbosePreference"), out var preference)
                || (preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore);
        }

        // A compiled cmdlet given -Debug alone treats verbose output as Inquire and prompts at every line (and fails
        // where no one can answer, as in a runbook); the same lines go to the debug stream then, which does not prompt.
        /// <summary>Whether debug lines (request and response bodies) would be shown: -Debug, or $DebugPreference other than SilentlyContinue.</summary>
        protected bool DebugWanted => _debugWanted ??= ComputeDebugWanted();

        private bool? _debugWanted;

        private bool ComputeDebugWanted()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Debug", out var debug))
            {
                return LanguagePrimitives.IsTrue(debug);
            }

            return LanguagePrimitives.TryConvertTo<ActionPreference>(GetVariableValue("DebugPreference"), out var preference)
                && preference != ActionPreference.SilentlyContinue && preference != ActionPreference.Ignore;
        }

        private bool DebugWithoutVerbose() =>
            MyInvocation.BoundParameters.ContainsKey("Debug") && !MyInvocation.BoundParameters.ContainsKey("Verbose");

        private Task<T> Start<T>(Func<CancellationToken, Task<T>> start)
        {
            try
            {
                return start(_stopping.Token);
            }
            catch (Exception exception)
            {
                // A synchronous throw (argument checks) behaves like a faulted task.
                var failed = new TaskCompletionSource<T>();
                failed.SetException(exception);
                return failed.Task;
            }
        }

        private void WriteHostLine(string line)
        {
            // The host, never the output stream: a prompt must not end up in a variable or a pipeline.
            if (Host?.UI != null)
            {
                Host.UI.WriteLine(line);
            }
            else
            {
                WriteWarning(line);
            }
        }
    }
}
