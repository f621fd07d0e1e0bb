using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ProfilePositions
{
    /// <summary>What Sync-ProfilePosition did (or, under -WhatIf, would do) with one position.</summary>
    public enum SyncAction
    {
        /// <summary>A row had no stored position with its key: the position was created.</summary>
        Created,

        /// <summary>A stored position with the row's key differed in some given members: one PATCH with those.</summary>
        Updated,

        /// <summary>A stored position with the row's key had every given member equal: nothing was sent.</summary>
        Unchanged,

        /// <summary>A stored position matched no row and -RemoveUnlisted was given: it was deleted.</summary>
        Removed,

        /// <summary>A stored position matched no row; without -RemoveUnlisted it is left alone and reported.</summary>
        Unlisted,

        /// <summary>The write failed, or the user's sync was refused (ambiguous keys, a bad row, the positions could not be read).</summary>
        Failed,
    }

    /// <summary>One member a sync changed: its Graph path, the stored value and the new one (as text).</summary>
    public sealed class SyncChange
    {
        public SyncChange(string member, string? oldValue, string? newValue)
        {
            Member = member;
            OldValue = oldValue;
            NewValue = newValue;
        }

        /// <summary>The member's Graph path, such as detail.company.department.</summary>
        public string Member { get; }

        /// <summary>The stored value, as JSON-like text; null when there was none.</summary>
        public string? OldValue { get; }

        /// <summary>The value written, as JSON-like text; null when the member is cleared.</summary>
        public string? NewValue { get; }

        /// <summary>"detail.company.department: 'Sales' -> 'Marketing'".</summary>
        public override string ToString() => Member + ": " + (OldValue ?? "(none)") + " -> " + (NewValue ?? "(cleared)");
    }

    /// <summary>
    /// One result of Sync-ProfilePosition: one per position it created, updated, left alone, removed or reported as
    /// unlisted, and one per user (or row) whose sync failed.
    /// </summary>
    public sealed class SyncResult
    {
        public SyncAction Action { get; set; }

        /// <summary>The user as the input named them (the signed-in account for me).</summary>
        public string UserId { get; set; } = string.Empty;

        /// <summary>The position's id: the stored one, or the one Graph gave the created position; null when none.</summary>
        public string? Id { get; set; }

        /// <summary>The position's key members as text, joined with ' | ' (the -Key members, in their order).</summary>
        public string? Key { get; set; }

        /// <summary>What an update changed (member: old -> new); empty for other actions.</summary>
        public SyncChange[] Changes { get; set; } = new SyncChange[0];

        /// <summary>The input rows this result comes from (row numbers in the pipeline, from 1); empty for stored positions no row names.</summary>
        public int[] Rows { get; set; } = new int[0];

        /// <summary>Graph's request-id of the write's answer; null when nothing was sent or no answer was heard (a create found by reading).</summary>
        public string? RequestId { get; set; }

        /// <summary>Why it failed; null otherwise.</summary>
        public string? Error { get; set; }

        /// <summary>The position as it is after the action (as read, or as Graph answered the write); null for Removed and Failed.</summary>
        public WorkPosition? Position { get; set; }

        /// <summary>The changes as one line, for views and CSV: "detail.company.department: 'Sales' -> 'Marketing'; ...".</summary>
        public string ChangeText => string.Join("; ", Changes.Select(change => change.ToString()));

        public override string ToString() =>
            Action.ToString() + " " + UserId + (Id == null ? string.Empty : " " + Id) + (Key == null ? string.Empty : " [" + Key + "]") +
            (Changes.Length == 0 ? string.Empty : " " + ChangeText) + (Error == null ? string.Empty : ": " + Error);
    }
}
