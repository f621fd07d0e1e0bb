using System;
using System.Collections.Concurrent;
using System.Threading;
using System.Threading.Tasks;

namespace ProfilePositions.Engine
{
    /// <summary>What an engine event is for: a verbose line, a warning, or a line for the host (never the output).</summary>
    public enum EngineEventKind
    {
        Verbose,
        Warning,
        Host,

        /// <summary>Work that must run on the command's pipeline thread (the user's token provider): run <see cref="EngineEvent.Run"/>.</summary>
        Call,

        /// <summary>Request and response bodies: the debug stream only, never verbose.</summary>
        Debug,
    }

    /// <summary>One thing the engine has to say.</summary>
    public readonly struct EngineEvent
    {
        public EngineEvent(EngineEventKind kind, string text, Action? run = null, Action? abandon = null)
        {
            Kind = kind;
            Text = text;
            Run = run;
            Abandon = abandon;
        }

        public EngineEventKind Kind { get; }

        public string Text { get; }

        /// <summary>For <see cref="EngineEventKind.Call"/>: runs the work and hands its result to the engine (never throws).</summary>
        public Action? Run { get; }

        /// <summary>For <see cref="EngineEventKind.Call"/>: cancels the work without running it (the command is ending).</summary>
        public Action? Abandon { get; }
    }

    /// <summary>
    /// Where the engine reports while it works (every HTTP attempt, a retry, a reconcile read; never a header or the
    /// token). The engine writes from any thread; the cmdlet that owns the sink takes the events and writes them on
    /// its pipeline thread, because PowerShell allows Write* calls only there. Passed explicitly to every session and
    /// request, so commands running at the same time keep their own lines.
    /// </summary>
    public sealed class EngineEvents
    {
        private readonly ConcurrentQueue<EngineEvent> _queue = new ConcurrentQueue<EngineEvent>();
        private readonly ManualResetEventSlim _signal = new ManualResetEventSlim(false);
        private readonly bool _discard;

        public EngineEvents()
        {
        }

        private EngineEvents(bool discard)
        {
            _discard = discard;
        }

        /// <summary>A sink that drops everything (tests and calls nobody listens to).</summary>
        public static EngineEvents None { get; } = new EngineEvents(discard: true);

        /// <summary>Set while events wait to be taken.</summary>
        public WaitHandle Signal => _signal.WaitHandle;

        /// <summary>
        /// Whether anyone shows verbose lines (the command's -Verbose and $VerbosePreference): when not, they are dropped,
        /// and callers on hot paths do not build them.
        /// </summary>
        public bool WantsVerbose { get; set; } = true;

        /// <summary>Whether anyone shows debug lines (-Debug, $DebugPreference): request and response bodies are read only then.</summary>
        public bool WantsDebug { get; set; }

        /// <summary>A verbose line, always one line: line breaks in what it quotes (an exception's message) become spaces.</summary>
        public void Verbose(string text)
        {
            if (WantsVerbose)
            {
                Add(EngineEventKind.Verbose, OneLine(text));
            }
        }

        /// <summary>A debug line (bodies), only when debug lines are wanted.</summary>
        public void Debug(string text)
        {
            if (WantsDebug)
            {
                Add(EngineEventKind.Debug, text);
            }
        }

        /// <summary>The text on one line: each run of line breaks (and the blanks around it) becomes one space.</summary>
        public static string OneLine(string? text) =>
            string.IsNullOrEmpty(text) || (text!.IndexOf('\n') < 0 && text.IndexOf('\r') < 0)
                ? text ?? string.Empty
                : LineBreaks.Replace(text, " ").Trim();

        private static readonly System.Text.RegularExpressions.Regex LineBreaks = new System.Text.RegularExpressions.Regex(@"[ \t]*[\r\n]+[ \t]*", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

        public void Warning(string text) => Add(EngineEventKind.Warning, text);

        public void Host(string text) => Add(EngineEventKind.Host, text);

        /// <summary>
        /// Runs <paramref name="work"/> on the pipeline thread of the command that owns this sink, the next time it takes
        /// its events (it does while it waits for the engine), and completes with its result or its exception. A sink
        /// nobody reads (<see cref="None"/>) refuses, since the work would never run.
        /// </summary>
        public Task<T> CallAsync<T>(Func<T> work, CancellationToken cancellationToken)
        {
            if (_discard)
            {
                throw new InvalidOperationException("No command takes this sink's events, so nothing can run on a pipeline thread.");
            }

            var completion = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_closed)
            {
                completion.TrySetCanceled();
                return completion.Task;
            }

            var registration = cancellationToken.Register(() => completion.TrySetCanceled(cancellationToken));
            _queue.Enqueue(new EngineEvent(EngineEventKind.Call, string.Empty, run: () =>
            {
                registration.Dispose();
                if (completion.Task.IsCompleted)
                {
                    return;
                }

                try
                {
                    completion.TrySetResult(work());
                }
                catch (Exception exception)
                {
                    completion.TrySetException(exception);
                }
            }, abandon: () =>
            {
                registration.Dispose();
                completion.TrySetCanceled();
            }));
            _signal.Set();
            if (_closed)
            {
                // Closed while this was queued: nobody will take it.
                Close();
            }

            return completion.Task;
        }

        private volatile bool _closed;

        /// <summary>
        /// The command that owns the sink has ended: work still waiting for its pipeline thread is cancelled, and later
        /// calls are refused (cancelled) at once. Lines still queued are dropped.
        /// </summary>
        public void Close()
        {
            _closed = true;
            while (_queue.TryDequeue(out var engineEvent))
            {
                engineEvent.Abandon?.Invoke();
            }
        }

        public bool TryTake(out EngineEvent engineEvent)
        {
            if (_queue.TryDequeue(out engineEvent))
            {
                return true;
            }

            _signal.Reset();
            // An event added between the dequeue and the reset must not wait for the next one.
            if (_queue.TryDequeue(out engineEvent))
            {
                return true;
            }

            return false;
        }

        private void Add(EngineEventKind kind, string text)
        {
            if (_discard || text == null)
            {
                return;
            }

            _queue.Enqueue(new EngineEvent(kind, text));
            _signal.Set();
        }
    }
}
