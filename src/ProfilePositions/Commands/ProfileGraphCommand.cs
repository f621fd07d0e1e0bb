using System;
using System.Collections.Concurrent;
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
        private BlockingCollection<Action<ProfileGraphCommand>>? _pendingWrites;
        private IDisposable? _lease;

        protected override void StopProcessing() => _stopping.Cancel();

        public void Dispose()
        {
            _lease?.Dispose();
            _lease = null;
            _stopping.Dispose();
            GC.SuppressFinalize(this);
        }

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

        /// <summary>Runs an engine call to completion on the pipeline thread, writing queued messages meanwhile.</summary>
        protected T RunEngine<T>(Func<CancellationToken, Task<T>> start)
        {
            var task = RunAndPump(cancellationToken => start(cancellationToken));
            try
            {
                task.GetAwaiter().GetResult();
                return ((Task<T>)task).Result;
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Runs an engine call that returns nothing.</summary>
        protected void RunEngine(Func<CancellationToken, Task> start)
        {
            var task = RunAndPump(start);
            try
            {
                task.GetAwaiter().GetResult();
            }
            catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        /// <summary>Queues a line for the host (for example the device-code prompt); safe from any thread.</summary>
        protected void QueueHostLine(string line) => Enqueue(command => command.WriteHostLine(line));

        /// <summary>Queues a warning; safe from any thread.</summary>
        protected void QueueWarning(string line) => Enqueue(command => command.WriteWarning(line));

        /// <summary>Queues a verbose line; safe from any thread.</summary>
        protected void QueueVerbose(string line) => Enqueue(command => command.WriteVerbose(line));

        /// <summary>Queues a debug line; safe from any thread.</summary>
        protected void QueueDebug(string line) => Enqueue(command => command.WriteDebug(line));

        // A compiled cmdlet given -Debug alone treats verbose output as Inquire and prompts at every line (and fails
        // where no one can answer, as in a runbook); the same lines go to the debug stream then, which does not prompt.
        private bool DebugWithoutVerbose() =>
            MyInvocation.BoundParameters.ContainsKey("Debug") && !MyInvocation.BoundParameters.ContainsKey("Verbose");

        private Task RunAndPump(Func<CancellationToken, Task> start)
        {
            using (var pending = new BlockingCollection<Action<ProfileGraphCommand>>())
            {
                _pendingWrites = pending;
                var previousLog = EngineLog.Current;
                EngineLog.Current = DebugWithoutVerbose() ? QueueDebug : QueueVerbose;
                try
                {
                    Task task;
                    try
                    {
                        task = start(_stopping.Token);
                    }
                    catch (Exception exception)
                    {
                        // A synchronous throw (argument checks, not connected) behaves like a faulted task.
                        var failed = new TaskCompletionSource<bool>();
                        failed.SetException(exception);
                        task = failed.Task;
                    }

                    task.ContinueWith(_ => CompleteQuietly(pending), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                    foreach (var write in pending.GetConsumingEnumerable())
                    {
                        write(this);
                    }

                    return task;
                }
                finally
                {
                    EngineLog.Current = previousLog;
                    _pendingWrites = null;
                }
            }
        }

        private void Enqueue(Action<ProfileGraphCommand> write)
        {
            var pending = _pendingWrites;
            if (pending == null)
            {
                return;
            }

            try
            {
                pending.Add(write);
            }
            catch (InvalidOperationException)
            {
                // The call already ended (completed or disposed); a late message has nobody left to read it.
            }
        }

        private static void CompleteQuietly(BlockingCollection<Action<ProfileGraphCommand>> pending)
        {
            try
            {
                pending.CompleteAdding();
            }
            catch (ObjectDisposedException)
            {
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
