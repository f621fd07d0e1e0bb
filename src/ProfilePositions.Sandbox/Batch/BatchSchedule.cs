using ProfilePositions.Sandbox.Graph;

namespace ProfilePositions.Sandbox.Batch;

/// <summary>One item waiting to finish at <see cref="DueMs"/> (milliseconds after the envelope began).</summary>
internal sealed record ScheduledItem(BatchItem Item, PreparedRequest Prepared, long DueMs);

/// <summary>
/// When each item of a <c>$batch</c> finishes, as Graph runs them: items without <c>dependsOn</c> side by side from the
/// start, an item with <c>dependsOn</c> once the last of its dependencies has finished. An item takes its own latency
/// from the moment it is ready, so the envelope lasts as long as its slowest chain, not the sum of its items.
/// Items finish in time order, ties in the order they became ready (array order among items ready together), so a
/// seeded run replays the same decisions in the same order.
/// </summary>
internal sealed class BatchSchedule(IReadOnlyList<BatchItem> items)
{
    private readonly PriorityQueue<ScheduledItem, (long DueMs, long Order)> _queue = new();
    private readonly Dictionary<string, bool> _finished = new(StringComparer.OrdinalIgnoreCase);
    private long _order;

    /// <summary>The items without dependencies, in array order.</summary>
    public IEnumerable<BatchItem> Initial => items.Where(item => item.DependsOn.Count == 0);

    /// <summary>Queues a prepared item that became ready at <paramref name="readyAtMs"/>.</summary>
    public void Start(BatchItem item, PreparedRequest prepared, long readyAtMs)
    {
        var due = readyAtMs + (prepared.Immediate is null ? prepared.LatencyMs : 0);
        _queue.Enqueue(new ScheduledItem(item, prepared, due), (due, _order++));
    }

    /// <summary>The item that finishes next, or null when none is left.</summary>
    public ScheduledItem? Next() => _queue.TryDequeue(out var next, out _) ? next : null;

    /// <summary>
    /// Records that <paramref name="item"/> finished; returns, in array order, the items that are ready now, each with
    /// the first of its dependencies (in its <c>dependsOn</c> order) that failed, or null when all succeeded.
    /// </summary>
    public List<(BatchItem Item, string? FailedDependency)> Finished(BatchItem item, bool succeeded)
    {
        _finished[item.Id] = succeeded;
        var ready = new List<(BatchItem, string?)>();
        foreach (var candidate in items)
        {
            if (candidate.DependsOn.Count == 0
                || _finished.ContainsKey(candidate.Id)
                || !candidate.DependsOn.Contains(item.Id, StringComparer.OrdinalIgnoreCase)
                || !candidate.DependsOn.All(_finished.ContainsKey))
            {
                continue;
            }

            ready.Add((candidate, candidate.DependsOn.FirstOrDefault(dependency => !_finished[dependency])));
        }

        return ready;
    }
}
