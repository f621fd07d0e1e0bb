using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ProfilePositions.Engine.Batching
{
    /// <summary>
    /// Keeps input order where it matters while everything else runs side by side: operations with the same key (writes
    /// to one position; creates for one user under -SkipExisting) run one after another, each after the one before it
    /// ended, whatever its outcome. Operations with different keys never wait for each other.
    /// </summary>
    internal sealed class KeyedSequencer
    {
        private readonly object _gate = new object();
        private readonly Dictionary<string, Task> _last = new Dictionary<string, Task>(StringComparer.OrdinalIgnoreCase);

        public Task<T> RunAsync<T>(string key, Func<Task<T>> operation)
        {
            Task<T> task;
            lock (_gate)
            {
                var previous = _last.TryGetValue(key, out var last) ? last : Task.CompletedTask;
                task = ChainAsync(previous, operation);
                _last[key] = task;
            }

            // Forget the key once its last operation ends, so a run over many keys holds no more than its open ones.
            task.ContinueWith(
                ended =>
                {
                    lock (_gate)
                    {
                        if (_last.TryGetValue(key, out var current) && ReferenceEquals(current, ended))
                        {
                            _last.Remove(key);
                        }
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            return task;
        }

        private static async Task<T> ChainAsync<T>(Task previous, Func<Task<T>> operation)
        {
            try
            {
                await previous.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The one before failed on its own account; this one still runs.
            }

            return await operation().ConfigureAwait(false);
        }
    }
}
