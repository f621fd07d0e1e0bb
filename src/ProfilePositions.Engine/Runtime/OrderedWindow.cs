using System;
using System.Collections.Generic;
using System.Threading.Tasks;

namespace ProfilePositions.Engine.Runtime
{
    /// <summary>What an item that succeeded did, for the run's summary.</summary>
    public enum RunOutcome
    {
        Created,
        Updated,
        Removed,
        Read,
        Skipped,
        /// <summary>A sync left the position as it was.</summary>
        Unchanged,
        /// <summary>A sync reported a stored position no row names.</summary>
        Unlisted,
    }

    /// <summary>One item's work and how to write its result, on the pipeline thread, when its turn comes.</summary>
    public interface IPendingResult
    {
        Task Task { get; }

        /// <summary>Counts and writes the output, or writes the error; only once the task has ended.</summary>
        void Write(RunTally tally);

        /// <summary>After a stop, when nothing can be written: counts what the item did if it is known (done or failed).</summary>
        bool CountIfSettled(RunTally tally);

        /// <summary>A write of this item may have been applied: it was sent (or nobody marked what was sent).</summary>
        bool MayHaveWritten { get; }
    }

    public sealed class PendingResult<T> : IPendingResult
    {
        private readonly Task<T> _task;
        private readonly Func<T, RunOutcome> _outcome;
        private readonly Action<T> _onResult;
        private readonly Action<Exception> _onError;

        private readonly ItemMark? _mark;

        public PendingResult(Task<T> task, Func<T, RunOutcome> outcome, Action<T> onResult, Action<Exception> onError, ItemMark? mark = null)
        {
            _task = task;
            _outcome = outcome;
            _onResult = onResult;
            _onError = onError;
            _mark = mark;
        }

        public Task Task => _task;

        public bool MayHaveWritten => _mark?.WriteSent ?? true;

        public bool CountIfSettled(RunTally tally)
        {
            var failure = _task.IsFaulted ? _task.Exception!.GetBaseException() : null;
            if (failure != null && !(failure is OperationCanceledException) && !(failure is Errors.ConnectionException stopping && stopping.StopsTheRun && !MayHaveWritten))
            {
                // It failed on its own account before the stop; its error cannot be written any more.
                tally.Failed++;
                return true;
            }

            if (_task.Status != TaskStatus.RanToCompletion)
            {
                return false;
            }

            tally.Count(_outcome(_task.Result));
            return true;
        }

        public void Write(RunTally tally)
        {
            if (_task.Status == TaskStatus.RanToCompletion)
            {
                tally.Count(_outcome(_task.Result));
                _onResult(_task.Result);
                return;
            }

            var exception = _task.IsCanceled ? new OperationCanceledException() : (Exception)_task.Exception!;
            while (exception is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            {
                exception = aggregate.InnerExceptions[0];
            }

            _onError(exception);
        }
    }

    /// <summary>
    /// Results are written in input order as soon as the in-order prefix has ended: item 5 waits for item 4, not for the
    /// end of the run, so output streams. The window holds at most <see cref="Capacity"/> items: one item waiting out
    /// a long Retry-After holds back output, and sending goes on until the window is full; then the pipeline waits
    /// for the oldest before it reads more input, which keeps memory bounded whatever the input's size.
    /// </summary>
    public sealed class OrderedWindow
    {
        /// <summary>Items in flight or waiting to be written at most: 1,000.</summary>
        public const int DefaultCapacity = 1000;

        private readonly Queue<IPendingResult> _pending = new Queue<IPendingResult>();
        private readonly RunTally _tally;

        public OrderedWindow(RunTally tally, int capacity = DefaultCapacity)
        {
            _tally = tally;
            Capacity = capacity;
        }

        public int Capacity { get; }

        public int Count => _pending.Count;

        public void Add(IPendingResult result) => _pending.Enqueue(result);

        /// <summary>Writes every result at the head of the window whose work has ended; never waits.</summary>
        public void WriteReady()
        {
            while (_pending.Count > 0 && _pending.Peek().Task.IsCompleted)
            {
                _pending.Dequeue().Write(_tally);
            }
        }

        /// <summary>Waits (through <paramref name="wait"/>, which writes the engine's events meanwhile) until there is room for one more.</summary>
        public void MakeRoom(Action<Task> wait, Action beforeWaiting)
        {
            WriteReady();
            while (_pending.Count >= Capacity)
            {
                beforeWaiting();
                wait(_pending.Peek().Task);
                WriteReady();
            }
        }

        /// <summary>
        /// After a stop: counts the items that ended but could not be written any more, and those that had not ended:
        /// never sent (no write of theirs left this process) or unknown; returns how many are unknown.
        /// </summary>
        public int CountUnwritten()
        {
            var unknown = 0;
            while (_pending.Count > 0)
            {
                var pending = _pending.Dequeue();
                if (pending.CountIfSettled(_tally))
                {
                    continue;
                }

                if (pending.MayHaveWritten)
                {
                    unknown++;
                }
                else
                {
                    _tally.NotSent++;
                }
            }

            return unknown;
        }

        /// <summary>Waits for every item, writing each result in order.</summary>
        public void Finish(Action<Task> wait)
        {
            while (_pending.Count > 0)
            {
                wait(_pending.Peek().Task);
                WriteReady();
            }
        }
    }
}
