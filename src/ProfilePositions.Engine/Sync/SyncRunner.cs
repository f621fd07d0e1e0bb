using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Sync
{
    /// <summary>A user's positions as a sync read them, or why they could not be read.</summary>
    public sealed class UserPositions
    {
        public UserPositions(string? userId, IReadOnlyList<WorkPosition>? positions, Exception? failure)
        {
            UserId = userId;
            Positions = positions ?? new WorkPosition[0];
            Failure = failure;
        }

        public string? UserId { get; }

        public IReadOnlyList<WorkPosition> Positions { get; }

        public Exception? Failure { get; }
    }

    /// <summary>
    /// The I/O of Sync-ProfilePosition, on the session's bulk path: the users' positions read with every page (the
    /// reads of many users share $batch envelopes, several in flight), then each planned write sent as the other
    /// cmdlets send theirs: a create through the CreateReconciler (an unknown outcome is settled by reading, never by
    /// creating twice), a PATCH resent, a DELETE that finds its position gone after an unknown attempt done.
    /// </summary>
    public sealed class SyncRunner
    {
        private readonly IProfilePositionService _service;
        private readonly int _readsInFlight;

        /// <param name="readsInFlight">Users read at once: enough to fill the envelopes the session keeps in flight.</param>
        public SyncRunner(IProfilePositionService service, int readsInFlight)
        {
            _service = service ?? throw new ArgumentNullException(nameof(service));
            _readsInFlight = Math.Max(1, readsInFlight);
        }

        /// <summary>Reads every position of each user (all pages), in the given order; a user that cannot be read carries its error.</summary>
        public async Task<IReadOnlyList<UserPositions>> ReadAsync(IReadOnlyList<string?> users, Action<int>? onRead, CancellationToken cancellationToken)
        {
            var results = new UserPositions[users.Count];
            var done = 0;
            using (var gate = new SemaphoreSlim(_readsInFlight))
            {
                var reads = new List<Task>(users.Count);
                for (var i = 0; i < users.Count; i++)
                {
                    await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
                    // Started here, not on the thread pool: each read's first request is queued before the next read
                    // starts, so the reads of 20 users fill one envelope rather than race its linger.
                    reads.Add(ReadOneAsync(i));
                }

                async Task ReadOneAsync(int index)
                {
                    try
                    {
                        var positions = await _service.ListAllAsync(users[index], null, cancellationToken).ConfigureAwait(false);
                        results[index] = new UserPositions(users[index], positions, null);
                    }
                    catch (Exception exception) when (!(exception is OperationCanceledException) || !cancellationToken.IsCancellationRequested)
                    {
                        results[index] = new UserPositions(users[index], null, exception);
                    }
                    finally
                    {
                        gate.Release();
                        onRead?.Invoke(Interlocked.Increment(ref done));
                    }
                }

                // The last users' reads need not wait to fill an envelope.
                _service.Flush();
                await Task.WhenAll(reads).ConfigureAwait(false);
            }

            return results;
        }

        /// <summary>Sends one planned write (or settles a step that sends nothing) and says what came of it.</summary>
        public async Task<SyncResult> RunAsync(PlannedAction action, CancellationToken cancellationToken)
        {
            var notes = new ResponseNotes();
            var service = _service.WithNotes(notes);
            var result = new SyncResult
            {
                Id = action.Stored?.Id,
                Key = action.Key,
                Changes = action.Changes.ToArray(),
                Rows = action.Row == null ? new int[0] : new[] { action.Row.Number },
                Position = action.Stored,
            };
            switch (action.Step)
            {
                case SyncStep.Create:
                    var created = await service.CreateAsync(action.UserId, action.Body!, cancellationToken).ConfigureAwait(false);
                    result.Action = SyncAction.Created;
                    result.Id = created.Id;
                    result.Position = created;
                    break;
                case SyncStep.Update:
                    result.Position = await service.UpdateAsync(action.UserId, action.Stored!.Id!, action.Body!, cancellationToken).ConfigureAwait(false);
                    result.Action = SyncAction.Updated;
                    break;
                case SyncStep.Remove:
                    await service.DeleteAsync(action.UserId, action.Stored!.Id!, cancellationToken).ConfigureAwait(false);
                    result.Action = SyncAction.Removed;
                    result.Position = null;
                    break;
                case SyncStep.Unchanged:
                    result.Action = SyncAction.Unchanged;
                    break;
                default:
                    result.Action = SyncAction.Unlisted;
                    break;
            }

            result.RequestId = RequestId(notes);
            return result;
        }

        private static string? RequestId(ResponseNotes notes)
        {
            var headers = notes.Headers;
            if (headers == null)
            {
                return null;
            }

            foreach (var header in headers)
            {
                if (string.Equals(header.Key, "request-id", StringComparison.OrdinalIgnoreCase))
                {
                    return header.Value;
                }
            }

            return null;
        }
    }
}
