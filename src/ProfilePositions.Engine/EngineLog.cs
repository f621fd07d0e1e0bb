using System;
using System.Threading;

namespace ProfilePositions.Engine
{
    /// <summary>
    /// Where the engine's verbose lines go (method, URL, status, request-id of every attempt; never a header or the token).
    /// Set per command; called on worker threads, so the cmdlet queues the lines and writes them itself. Async-local, so
    /// commands running at the same time in other runspaces keep their own lines.
    /// </summary>
    public static class EngineLog
    {
        private static readonly AsyncLocal<Action<string>?> Sink = new AsyncLocal<Action<string>?>();

        public static Action<string>? Current
        {
            get => Sink.Value;
            set => Sink.Value = value;
        }

        internal static void Write(string line)
        {
            try
            {
                Sink.Value?.Invoke(line);
            }
            catch (Exception)
            {
                // A broken log sink must not fail the command.
            }
        }
    }
}
