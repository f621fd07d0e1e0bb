using System;
using System.Collections.Generic;
using System.Globalization;

namespace ProfilePositions
{
    /// <summary>
    /// What one run of a position cmdlet did: one count per outcome, what it sent, and how long it took. Written to the
    /// information stream at the end and to -SummaryVariable (also when the run is stopped with Ctrl+C).
    /// </summary>
    public sealed class PositionRunSummary
    {
        public string Command { get; set; } = string.Empty;

        /// <summary>Items the command read: piped objects, or 1 for a command line alone.</summary>
        public int Items { get; set; }

        public int Created { get; set; }

        public int Updated { get; set; }

        public int Removed { get; set; }

        /// <summary>Positions read (Get-ProfilePosition).</summary>
        public int Read { get; set; }

        /// <summary>Positions a sync found as the input describes them and left alone (Sync-ProfilePosition).</summary>
        public int Unchanged { get; set; }

        /// <summary>Stored positions no row of a sync names, left alone without -RemoveUnlisted (Sync-ProfilePosition).</summary>
        public int Unlisted { get; set; }

        /// <summary>Items that matched an existing position (-SkipExisting) and were not created.</summary>
        public int Skipped { get; set; }

        public int Failed { get; set; }

        /// <summary>Items never sent: declined at -WhatIf or -Confirm, or left when the run stopped.</summary>
        public int NotSent { get; set; }

        /// <summary>Items sent, or about to be, whose outcome nobody heard because the run was stopped; run again to settle them.</summary>
        public int Unknown { get; set; }

        /// <summary>HTTP requests sent: plain requests and $batch envelopes.</summary>
        public long Requests { get; set; }

        public long Envelopes { get; set; }

        public long Retries { get; set; }

        public long Throttled { get; set; }

        public TimeSpan Elapsed { get; set; }

        /// <summary>Items done per second over the run.</summary>
        public double ItemsPerSecond { get; set; }

        /// <summary>True when the run was stopped (Ctrl+C) before it ended.</summary>
        public bool Stopped { get; set; }

        /// <summary>The outcomes that happened, such as "12 created, 1 failed"; "nothing done" when none.</summary>
        public string Outcomes()
        {
            var parts = new List<string>();
            void Add(int count, string what)
            {
                if (count > 0)
                {
                    parts.Add(count.ToString(CultureInfo.InvariantCulture) + " " + what);
                }
            }

            Add(Created, "created");
            Add(Updated, "updated");
            Add(Removed, "removed");
            Add(Read, "read");
            Add(Unchanged, "unchanged");
            Add(Unlisted, "unlisted");
            Add(Skipped, "skipped (already existed)");
            Add(Failed, "failed");
            Add(NotSent, "not sent");
            Add(Unknown, "not settled (outcome unknown)");
            return parts.Count == 0 ? "nothing done" : string.Join(", ", parts);
        }

        public override string ToString()
        {
            var outcome = Outcomes();
            return Command + (Stopped ? " stopped: " : ": ") + Items.ToString(CultureInfo.InvariantCulture) + (Items == 1 ? " item; " : " items; ") + outcome +
                "; " + Requests.ToString(CultureInfo.InvariantCulture) + (Requests == 1 ? " request" : " requests") +
                (Envelopes > 0 ? " (" + Envelopes.ToString(CultureInfo.InvariantCulture) + " $batch)" : string.Empty) +
                (Retries > 0 ? ", " + Retries.ToString(CultureInfo.InvariantCulture) + " retried" : string.Empty) +
                (Throttled > 0 ? ", " + Throttled.ToString(CultureInfo.InvariantCulture) + " throttled" : string.Empty) +
                " in " + Elapsed.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s (" + ItemsPerSecond.ToString("0.#", CultureInfo.InvariantCulture) + " items/s).";
        }
    }
}
