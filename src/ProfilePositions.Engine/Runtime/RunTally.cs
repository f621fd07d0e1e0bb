using System;
using System.Diagnostics;
using System.Globalization;
using ProfilePositions.Engine.Batching;

namespace ProfilePositions.Engine.Runtime
{
    /// <summary>What happened to the items of one run, counted on the pipeline thread as their results are written.</summary>
    public sealed class RunTally
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public RunTally(string command, BulkCounters counters)
        {
            Command = command;
            Counters = counters;
        }

        public string Command { get; }

        public BulkCounters Counters { get; }

        /// <summary>Items read (the piped objects, or the command line).</summary>
        public int Items { get; set; }

        public int Created { get; set; }

        public int Updated { get; set; }

        public int Removed { get; set; }

        public int Read { get; set; }

        public int Skipped { get; set; }

        public int Failed { get; set; }

        public int NotSent { get; set; }

        /// <summary>Positions a sync left as they were (Sync-ProfilePosition).</summary>
        public int Unchanged { get; set; }

        /// <summary>Stored positions no row of a sync names, left alone without -RemoveUnlisted.</summary>
        public int Unlisted { get; set; }

        /// <summary>Items whose result has been written.</summary>
        public int Done => Created + Updated + Removed + ReadItems + Skipped + Failed + NotSent + Unchanged + Unlisted;

        /// <summary>Items of a Get whose positions have been written (Read counts positions).</summary>
        public int ReadItems { get; set; }

        public TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>Counts an item that succeeded (Read counts the positions a Get wrote, separately).</summary>
        public void Count(RunOutcome outcome)
        {
            switch (outcome)
            {
                case RunOutcome.Created:
                    Created++;
                    break;
                case RunOutcome.Updated:
                    Updated++;
                    break;
                case RunOutcome.Removed:
                    Removed++;
                    break;
                case RunOutcome.Skipped:
                    Skipped++;
                    break;
                case RunOutcome.Unchanged:
                    Unchanged++;
                    break;
                case RunOutcome.Unlisted:
                    Unlisted++;
                    break;
                default:
                    ReadItems++;
                    break;
            }
        }

        public double Rate => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

        public PositionRunSummary Summary(bool stopped, int unsettled) => new PositionRunSummary
        {
            Command = Command,
            Items = Items,
            Created = Created,
            Updated = Updated,
            Removed = Removed,
            Read = Read,
            Skipped = Skipped,
            Unchanged = Unchanged,
            Unlisted = Unlisted,
            Failed = Failed,
            NotSent = NotSent + (stopped ? Math.Max(0, Items - Done - unsettled) : 0),
            Unknown = stopped ? unsettled : 0,
            Requests = Counters.Requests,
            Envelopes = Counters.Envelopes,
            Retries = Counters.Retries,
            Throttled = Counters.Throttled,
            Elapsed = Elapsed,
            ItemsPerSecond = Rate,
            Stopped = stopped,
        };

        /// <summary>The progress bar's status line: done, what of it, the rate, retries waiting.</summary>
        public string Status(bool inputComplete)
        {
            var status = Done.ToString(CultureInfo.InvariantCulture) + (inputComplete ? " of " + Items.ToString(CultureInfo.InvariantCulture) : " done of " + Items.ToString(CultureInfo.InvariantCulture) + " read so far") +
                " (" + Breakdown() + "), " + Rate.ToString("0", CultureInfo.InvariantCulture) + " items/s";
            var waiting = Counters.WaitingToRetry;
            if (waiting > 0)
            {
                status += ", " + waiting.ToString(CultureInfo.InvariantCulture) + " waiting to be retried";
            }

            if (Counters.Throttled > 0)
            {
                status += ", throttled " + Counters.Throttled.ToString(CultureInfo.InvariantCulture) + " times (" + Counters.InFlightLimit.ToString(CultureInfo.InvariantCulture) + " in flight)";
            }

            return status;
        }

        private string Breakdown() => Summary(stopped: false, unsettled: 0).Outcomes();
    }
}
