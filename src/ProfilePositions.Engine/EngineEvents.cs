using System;
using System.Collections.Concurrent;
using System.Threading;

namespace ProfilePositions.Engine
{
    /// <summary>What an engine event is for: a verbose line, a warning, or a line for the host (never the output).</summary>
    public enum EngineEventKind
    {
        Verbose,
        Warning,
        Host,

        /// <summary>Request and response bodies: the debug stream only, never verbose.</summary>
        Debug,
    }

    /// <summary>One thing the engine has to say.</summary>
    public readonly struct EngineEvent
    {
        public EngineEvent(EngineEventKind kind, string text)
        {
            Kind = kind;
            Text = text;
        }

        public EngineEventKind Kind { get; }

        public string Text { get; }
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
