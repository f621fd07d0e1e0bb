using ProfilePositions.Engine.Batching;
using ProfilePositions.Engine.Runtime;

namespace ProfilePositions.Engine.Tests;

/// <summary>The ordered output window, the run tally, and the keyed sequencer, driven by hand-completed tasks.</summary>
public sealed class OrderedWindowTests
{
    private readonly List<string> _written = new();
    private readonly RunTally _tally = new("New-ProfilePosition", new BulkCounters());

    private (TaskCompletionSource<string> Source, PendingResult<string> Pending) Item(RunOutcome outcome = RunOutcome.Created)
    {
        var source = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var pending = new PendingResult<string>(source.Task, _ => outcome, result => _written.Add(result), error => _written.Add("error: " + error.GetType().Name + ": " + error.Message));
        return (source, pending);
    }

    [Fact]
    public void ResultsAreWrittenInInputOrderAsSoonAsThePrefixHasEnded()
    {
        var window = new OrderedWindow(_tally);
        var items = Enumerable.Range(0, 4).Select(_ => Item()).ToList();
        items.ForEach(i => window.Add(i.Pending));

        items[1].Source.SetResult("two");
        window.WriteReady();
        Assert.Empty(_written);

        items[0].Source.SetResult("one");
        window.WriteReady();
        Assert.Equal(new[] { "one", "two" }, _written);
        Assert.Equal(2, window.Count);

        items[3].Source.SetResult("four");
        window.WriteReady();
        Assert.Equal(new[] { "one", "two" }, _written);

        items[2].Source.SetResult("three");
        window.WriteReady();
        Assert.Equal(new[] { "one", "two", "three", "four" }, _written);
        Assert.Equal(0, window.Count);
        Assert.Equal(4, _tally.Created);
        Assert.Equal(4, _tally.Done);
    }

    [Fact]
    public void AFailedOrCancelledItemIsWrittenAsItsErrorInItsPlace()
    {
        var window = new OrderedWindow(_tally);
        var (okSource, ok) = Item(RunOutcome.Updated);
        var (failedSource, failed) = Item();
        var (cancelledSource, cancelled) = Item();
        window.Add(ok);
        window.Add(failed);
        window.Add(cancelled);

        cancelledSource.SetCanceled();
        failedSource.SetException(new InvalidOperationException("refused"));
        okSource.SetResult("ok");
        window.WriteReady();

        Assert.Equal(new[] { "ok", "error: InvalidOperationException: refused", "error: OperationCanceledException: The operation was canceled." }, _written);
        Assert.Equal(1, _tally.Updated);
        Assert.Equal(0, _tally.Created);
    }

    [Fact]
    public void MakeRoomDoesNotWaitWhileThereIsRoom()
    {
        var window = new OrderedWindow(_tally, capacity: 2);
        window.Add(Item().Pending);

        window.MakeRoom(_ => Assert.Fail("nothing to wait for"), () => Assert.Fail("nothing to flush"));

        Assert.Equal(1, window.Count);
        Assert.Equal(1000, new OrderedWindow(_tally).Capacity);
        Assert.Equal(OrderedWindow.DefaultCapacity, new OrderedWindow(_tally).Capacity);
    }

    [Fact]
    public void MakeRoomWritesWhatHasEndedBeforeItConsidersWaiting()
    {
        var window = new OrderedWindow(_tally, capacity: 2);
        var (firstSource, first) = Item();
        window.Add(first);
        window.Add(Item().Pending);
        firstSource.SetResult("first");

        window.MakeRoom(_ => Assert.Fail("the oldest had ended"), () => Assert.Fail("no wait, no flush"));

        Assert.Equal(new[] { "first" }, _written);
        Assert.Equal(1, window.Count);
    }

    [Fact]
    public async Task MakeRoomBlocksAtCapacityUntilTheOldestEndsAndFlushesFirst()
    {
        var window = new OrderedWindow(_tally, capacity: 3);
        var items = Enumerable.Range(0, 3).Select(_ => Item()).ToList();
        items.ForEach(i => window.Add(i.Pending));
        var waitedOn = new List<Task>();
        var flushes = 0;
        var waiting = new ManualResetEventSlim();

        var making = Task.Run(() => window.MakeRoom(task =>
        {
            waitedOn.Add(task);
            waiting.Set();
            task.Wait();
        }, () => Interlocked.Increment(ref flushes)));

        Assert.True(waiting.Wait(TimeSpan.FromSeconds(10)), "MakeRoom waits when the window is full");
        // A later item ending makes no room: the output is in order, so the oldest holds it.
        items[2].Source.SetResult("three");
        items[1].Source.SetResult("two");
        Assert.False(making.IsCompleted);
        Assert.Empty(_written);

        items[0].Source.SetResult("one");
        await making.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Same(items[0].Source.Task, Assert.Single(waitedOn));
        Assert.Equal(1, flushes);
        Assert.Equal(new[] { "one", "two", "three" }, _written);
        Assert.Equal(0, window.Count);
    }

    [Fact]
    public void FinishWaitsForEveryItemInOrder()
    {
        var window = new OrderedWindow(_tally);
        var items = Enumerable.Range(0, 3).Select(_ => Item()).ToList();
        items.ForEach(i => window.Add(i.Pending));
        var waits = new List<Task>();

        window.Finish(task =>
        {
            waits.Add(task);
            // Completing them in reverse shows only the order of the window decides the output.
            foreach (var item in Enumerable.Reverse(items))
            {
                item.Source.TrySetResult("r" + items.IndexOf(item));
            }
        });

        Assert.Equal(new[] { "r0", "r1", "r2" }, _written);
        Assert.Same(items[0].Source.Task, Assert.Single(waits));
    }

    [Fact]
    public void AfterAStopCountUnwrittenCountsWhatEndedAndReturnsWhatHadNot()
    {
        var window = new OrderedWindow(_tally);
        var (createdSource, created) = Item(RunOutcome.Created);
        var (openSource, open) = Item();
        var (updatedSource, updated) = Item(RunOutcome.Updated);
        var (_, neverAnswered) = Item();
        window.Add(open);
        window.Add(created);
        window.Add(updated);
        window.Add(neverAnswered);
        createdSource.SetResult("c");
        updatedSource.SetResult("u");
        _tally.Items = 6;

        var unsettled = window.CountUnwritten();

        Assert.Equal(2, unsettled);
        Assert.Empty(_written);
        Assert.Equal(0, window.Count);
        Assert.Equal((1, 1), (_tally.Created, _tally.Updated));
        var summary = _tally.Summary(stopped: true, unsettled: unsettled);
        Assert.True(summary.Stopped);
        Assert.Equal(2, summary.Unknown);
        Assert.Equal(2, summary.NotSent);
        Assert.Equal((1, 1), (summary.Created, summary.Updated));
        GC.KeepAlive(openSource);
    }
}

public sealed class StoppedRunTests
{
    [Fact]
    public void AnUnfinishedItemWhoseWriteNeverLeftIsNotSentAndOneWhoseWriteLeftIsUnknown()
    {
        var tally = new RunTally("New-ProfilePosition", new BulkCounters());
        var window = new OrderedWindow(tally);
        var sentMark = new ItemMark();
        sentMark.NoteWriteSent();
        window.Add(new PendingResult<string>(new TaskCompletionSource<string>().Task, _ => RunOutcome.Created, _ => { }, _ => { }, sentMark));
        window.Add(new PendingResult<string>(new TaskCompletionSource<string>().Task, _ => RunOutcome.Created, _ => { }, _ => { }, new ItemMark()));
        window.Add(new PendingResult<string>(new TaskCompletionSource<string>().Task, _ => RunOutcome.Created, _ => { }, _ => { }, new ItemMark()));
        tally.Items = 5;

        var unknown = window.CountUnwritten();
        var summary = tally.Summary(stopped: true, unsettled: unknown);

        Assert.Equal(1, unknown);
        Assert.Equal(1, summary.Unknown);
        Assert.Equal(4, summary.NotSent);
    }
}

public sealed class RunTallyTests
{
    [Fact]
    public void EachOutcomeIsCountedAndTheSummaryCarriesTheSendersCounters()
    {
        var counters = new BulkCounters();
        var tally = new RunTally("Set-ProfilePosition", counters) { Items = 7, Failed = 1, NotSent = 1 };
        foreach (var outcome in new[] { RunOutcome.Created, RunOutcome.Updated, RunOutcome.Updated, RunOutcome.Removed, RunOutcome.Skipped, RunOutcome.Read })
        {
            tally.Count(outcome);
        }

        counters.Sent(envelope: true);
        counters.Sent(envelope: false);
        counters.Throttle();
        counters.RetryWaitStarted();

        var summary = tally.Summary(stopped: false, unsettled: 0);

        Assert.Equal(("Set-ProfilePosition", 7), (summary.Command, summary.Items));
        Assert.Equal((1, 2, 1, 1, 1, 1), (summary.Created, summary.Updated, summary.Removed, summary.Skipped, summary.Failed, summary.NotSent));
        Assert.Equal(1, tally.ReadItems);
        Assert.Equal(8, tally.Done);
        Assert.Equal((2L, 1L, 1L, 1L), (summary.Requests, summary.Envelopes, summary.Throttled, summary.Retries));
        Assert.Equal(0, summary.Unknown);
        Assert.False(summary.Stopped);
    }

    [Fact]
    public void TheStatusLineSaysWhatIsWaitingAndHowThrottlingStands()
    {
        var counters = new BulkCounters();
        var tally = new RunTally("New-ProfilePosition", counters) { Items = 10 };
        tally.Count(RunOutcome.Created);
        counters.Limit(4);

        Assert.DoesNotContain("throttled", tally.Status(inputComplete: true));
        Assert.StartsWith("1 of 10", tally.Status(inputComplete: true));
        Assert.StartsWith("1 done of 10 read so far", tally.Status(inputComplete: false));

        counters.Throttle();
        counters.Limit(2);
        counters.RetryWaitStarted();
        counters.RetryWaitStarted();
        counters.RetryWaitEnded();

        var status = tally.Status(inputComplete: true);
        Assert.Contains("1 waiting to be retried", status);
        Assert.Contains("throttled 1 times (2 in flight)", status);
        Assert.Equal((2L, 1L), (counters.Retries, counters.WaitingToRetry));
    }
}

public sealed class KeyedSequencerTests
{
    private readonly KeyedSequencer _sequencer = new();

    [Fact]
    public async Task OperationsWithOneKeyRunOneAfterAnotherInTheOrderGiven()
    {
        var gates = Enumerable.Range(0, 4).Select(_ => new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously)).ToList();
        var started = new List<int>();
        var tasks = gates.Select((gate, i) => _sequencer.RunAsync("me|p1", () =>
        {
            lock (started)
            {
                started.Add(i);
            }

            return gate.Task;
        })).ToList();

        Assert.Equal(new[] { 0 }, started);
        gates[0].SetResult(0);
        await tasks[0];
        await BulkHarness.Eventually(() => { lock (started) { return started.Count == 2; } }, "the second operation starts");
        Assert.Equal(new[] { 0, 1 }, started);
        Assert.False(tasks[1].IsCompleted);

        gates[1].SetResult(1);
        gates[2].SetResult(2);
        gates[3].SetResult(3);
        Assert.Equal(new[] { 0, 1, 2, 3 }, await Task.WhenAll(tasks));
        Assert.Equal(new[] { 0, 1, 2, 3 }, started);
    }

    [Fact]
    public async Task OtherKeysNeverWait()
    {
        var held = new TaskCompletionSource<string>();
        var first = _sequencer.RunAsync("me|p1", () => held.Task);

        var other = await _sequencer.RunAsync("me|p2", () => Task.FromResult("p2")).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("p2", other);
        Assert.False(first.IsCompleted);
        held.SetResult("p1");
        Assert.Equal("p1", await first);
    }

    [Fact]
    public async Task AFailedOperationDoesNotStopTheNextButTheNextStillWaitsForIt()
    {
        var failing = new TaskCompletionSource<int>();
        var first = _sequencer.RunAsync("create:me", () => failing.Task);
        var ran = false;
        var second = _sequencer.RunAsync("CREATE:ME", () =>
        {
            ran = true;
            return Task.FromResult(2);
        });

        Assert.False(ran);
        failing.SetException(new InvalidOperationException("first failed"));

        await Assert.ThrowsAsync<InvalidOperationException>(() => first);
        Assert.Equal(2, await second);
        Assert.True(ran);
    }

    [Fact]
    public async Task AKeyWhoseOperationsEndedStartsAfreshAtOnce()
    {
        await _sequencer.RunAsync("me|p1", () => Task.FromResult(1));

        var ran = false;
        var next = _sequencer.RunAsync("me|p1", () =>
        {
            ran = true;
            return Task.FromResult(2);
        });

        Assert.True(ran);
        Assert.Equal(2, await next);
    }
}

public sealed class BulkCountersTests
{
    [Fact]
    public void CountersAddUpFromManyThreads()
    {
        var counters = new BulkCounters();

        Parallel.For(0, 1000, i =>
        {
            counters.Sent(envelope: i % 4 == 0);
            if (i % 10 == 0)
            {
                counters.Throttle();
                counters.RetryWaitStarted();
                counters.RetryWaitEnded();
            }
        });

        Assert.Equal(1000, counters.Requests);
        Assert.Equal(250, counters.Envelopes);
        Assert.Equal(100, counters.Throttled);
        Assert.Equal(100, counters.Retries);
        Assert.Equal(0, counters.WaitingToRetry);
        Assert.Equal(0, counters.InFlightLimit);
    }
}
