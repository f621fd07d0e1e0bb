using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Sync
{
    /// <summary>One input row of a sync: the position it asks for, and what it clears (-ClearEmpty).</summary>
    public sealed class DesiredRow
    {
        public DesiredRow(int number, PositionBody body, IReadOnlyList<string>? cleared = null, object? target = null)
        {
            Number = number;
            Body = body ?? throw new ArgumentNullException(nameof(body));
            Cleared = cleared ?? new string[0];
            Target = target;
        }

        /// <summary>The row's number in the pipeline, from 1.</summary>
        public int Number { get; }

        public PositionBody Body { get; }

        /// <summary>Graph paths (detail/company/department) of members the row leaves empty and wants cleared.</summary>
        public IReadOnlyList<string> Cleared { get; }

        /// <summary>The piped object, for errors.</summary>
        public object? Target { get; }
    }

    public enum SyncStep
    {
        Create,
        Update,
        Unchanged,
        Remove,
        Unlisted,
    }

    /// <summary>One step of a user's plan.</summary>
    public sealed class PlannedAction
    {
        internal PlannedAction(SyncStep step, string? userId, DesiredRow? row, WorkPosition? stored, PositionBody? body, IReadOnlyList<SyncChange> changes, string key)
        {
            Step = step;
            UserId = userId;
            Row = row;
            Stored = stored;
            Body = body;
            Changes = changes;
            Key = key;
        }

        public SyncStep Step { get; }

        /// <summary>The user as the input names them (null: /me).</summary>
        public string? UserId { get; }

        /// <summary>The row it comes from; null for a stored position no row names.</summary>
        public DesiredRow? Row { get; }

        /// <summary>The stored position it concerns; null for a create.</summary>
        public WorkPosition? Stored { get; }

        /// <summary>What is sent: the row's body for a create, the differing members for an update; null otherwise.</summary>
        public PositionBody? Body { get; }

        public IReadOnlyList<SyncChange> Changes { get; }

        /// <summary>The key members' values as text, joined with ' | '.</summary>
        public string Key { get; }

        /// <summary>Whether the step writes (POST, PATCH or DELETE).</summary>
        public bool Writes => Step == SyncStep.Create || Step == SyncStep.Update || Step == SyncStep.Remove;
    }

    /// <summary>What a sync does for one user, or why it does nothing.</summary>
    public sealed class SyncUserPlan
    {
        internal SyncUserPlan(string? userId, IReadOnlyList<PlannedAction> actions, int stored, ProfileGraphException? failure)
        {
            UserId = userId;
            Actions = actions;
            StoredCount = stored;
            Failure = failure;
        }

        public string? UserId { get; }

        /// <summary>In order: the rows' steps (input order), then the stored positions no row names.</summary>
        public IReadOnlyList<PlannedAction> Actions { get; }

        /// <summary>How many positions the user had.</summary>
        public int StoredCount { get; }

        /// <summary>Set when the user's sync is refused: nothing is written for the user.</summary>
        public ProfileGraphException? Failure { get; }

        public int Count(SyncStep step) => Actions.Count(action => action.Step == step);

        public static SyncUserPlan Failed(string? userId, int stored, ProfileGraphException failure) => new SyncUserPlan(userId, new PlannedAction[0], stored, failure);
    }

    /// <summary>
    /// Decides what a sync does for one user, from the rows that describe the user's complete desired set and the
    /// positions stored now; it sends nothing and reads nothing (so it is tested without Graph):
    /// <list type="bullet">
    /// <item>a row whose key matches one stored position: Unchanged when every member the row gives is the same
    /// (<see cref="SyncValues"/>), else Update with only the differing members (and, with -ClearEmpty, nulls for the
    /// members the row leaves empty that are stored);</item>
    /// <item>a row whose key matches nothing: Create with the row's body;</item>
    /// <item>a stored position whose key no row has: Remove (-RemoveUnlisted) or Unlisted;</item>
    /// <item>two rows with one key, or two stored positions with a key a row has: the user fails, naming both, and
    /// nothing is planned for the user.</item>
    /// </list>
    /// </summary>
    public sealed class SyncPlanner
    {
        private readonly SyncKey _key;
        private readonly bool _removeUnlisted;

        public SyncPlanner(SyncKey key, bool removeUnlisted)
        {
            _key = key ?? throw new ArgumentNullException(nameof(key));
            _removeUnlisted = removeUnlisted;
        }

        public SyncUserPlan Plan(string? userId, IReadOnlyList<DesiredRow> rows, IReadOnlyList<WorkPosition> stored)
        {
            var user = GraphPaths.DisplayUser(userId);
            var wanted = rows.Select(row => (Row: row, Json: Neutral(row.Body.Value))).ToList();
            var have = stored.Select(position => (Position: position, Json: Neutral(position))).ToList();

            var rowsByKey = new Dictionary<string, (DesiredRow Row, IDictionary<string, object?>? Json)>(StringComparer.Ordinal);
            foreach (var item in wanted)
            {
                var key = KeyOf(item.Json);
                if (rowsByKey.TryGetValue(key, out var first))
                {
                    return SyncUserPlan.Failed(userId, stored.Count, new PositionInputException(
                        "Key",
                        "The sync of '" + user + "' was refused: rows " + first.Row.Number.ToString(CultureInfo.InvariantCulture) + " and " + item.Row.Number.ToString(CultureInfo.InvariantCulture) +
                        " have the same key (" + DescribeKey(item.Json) + "), so it is not known which one the profile should hold. Nothing was changed for this user. " +
                        "Remove one of the rows, or give -Key more members that tell them apart (for example -Key " + string.Join(",", _key.Members.Select(member => member.Given)) + ",Department).",
                        "SyncDuplicateRowKey"));
                }

                rowsByKey[key] = item;
            }

            var storedByKey = new Dictionary<string, List<(WorkPosition Position, IDictionary<string, object?>? Json)>>(StringComparer.Ordinal);
            foreach (var item in have)
            {
                var key = KeyOf(item.Json);
                if (!storedByKey.TryGetValue(key, out var list))
                {
                    storedByKey[key] = list = new List<(WorkPosition, IDictionary<string, object?>?)>();
                }

                list.Add(item);
            }

            var actions = new List<PlannedAction>();
            var matched = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in wanted)
            {
                var key = KeyOf(item.Json);
                if (!storedByKey.TryGetValue(key, out var candidates))
                {
                    actions.Add(new PlannedAction(SyncStep.Create, userId, item.Row, null, item.Row.Body, new SyncChange[0], DescribeKey(item.Json)));
                    continue;
                }

                if (candidates.Count > 1)
                {
                    return SyncUserPlan.Failed(userId, stored.Count, new PositionInputException(
                        "Key",
                        "The sync of '" + user + "' was refused: row " + item.Row.Number.ToString(CultureInfo.InvariantCulture) + " (" + DescribeKey(item.Json) + ") matches " + candidates.Count.ToString(CultureInfo.InvariantCulture) +
                        " stored positions (" + string.Join(", ", candidates.Select(candidate => candidate.Position.Id)) + "), so it is not known which one it describes. Nothing was changed for this user. " +
                        "Remove the duplicates (Remove-ProfilePosition -UserId '" + user + "' -WorkPositionId <id>), or give -Key more members that tell them apart.",
                        "SyncDuplicateStoredKey"));
                }

                matched.Add(key);
                var current = candidates[0];
                var patch = new Dictionary<string, object?>(StringComparer.Ordinal);
                var changes = new List<SyncChange>();
                Diff(item.Json, current.Json, PositionSchema.WorkPosition, string.Empty, patch, changes);
                foreach (var cleared in item.Row.Cleared)
                {
                    Clear(cleared, current.Json, item.Json, patch, changes);
                }

                if (changes.Count == 0)
                {
                    actions.Add(new PlannedAction(SyncStep.Unchanged, userId, item.Row, current.Position, null, changes, DescribeKey(current.Json)));
                }
                else
                {
                    actions.Add(new PlannedAction(SyncStep.Update, userId, item.Row, current.Position, PositionBody.FromInput(patch), changes, DescribeKey(current.Json)));
                }
            }

            foreach (var item in have)
            {
                if (!matched.Contains(KeyOf(item.Json)))
                {
                    actions.Add(new PlannedAction(_removeUnlisted ? SyncStep.Remove : SyncStep.Unlisted, userId, null, item.Position, null, new SyncChange[0], DescribeKey(item.Json)));
                }
            }

            return new SyncUserPlan(userId, actions, stored.Count, null);
        }

        private string KeyOf(IDictionary<string, object?>? json) =>
            string.Join("\u001f", _key.Members.Select(member => SyncValues.KeyText(SyncValues.At(json, member.Path), member.Spec)));

        private string DescribeKey(IDictionary<string, object?>? json) =>
            string.Join(" | ", _key.Members.Select(member => SyncValues.KeyDisplay(SyncValues.At(json, member.Path), member.Spec)));

        internal static IDictionary<string, object?>? Neutral(GraphObject value) => GraphJson.Parse(GraphJson.Write(value)) as IDictionary<string, object?>;

        /// <summary>The members of wanted that differ from stored, into patch (nested objects only with their differing members).</summary>
        private static void Diff(IDictionary<string, object?>? wanted, IDictionary<string, object?>? stored, TypeSpec type, string prefix, IDictionary<string, object?> patch, List<SyncChange> changes)
        {
            if (wanted == null)
            {
                return;
            }

            foreach (var member in wanted)
            {
                var spec = type.Find(member.Key);
                if (spec == null || spec.ReadOnly)
                {
                    // Members the schema does not know are sent with a create but never compared: Graph may not store them as sent.
                    continue;
                }

                var current = GraphJson.Lookup(stored, spec.Name);
                if (spec.Kind == MemberKind.Object && spec.Type != null && member.Value is IDictionary<string, object?> nested)
                {
                    var nestedPatch = new Dictionary<string, object?>(StringComparer.Ordinal);
                    Diff(nested, current as IDictionary<string, object?>, spec.Type, prefix + spec.Name + ".", nestedPatch, changes);
                    if (nestedPatch.Count > 0)
                    {
                        patch[spec.Name] = nestedPatch;
                    }

                    continue;
                }

                if (!SyncValues.Same(member.Value, current, spec))
                {
                    patch[spec.Name] = member.Value;
                    changes.Add(new SyncChange(prefix + spec.Name, SyncValues.Display(current), SyncValues.Display(member.Value)));
                }
            }
        }

        /// <summary>-ClearEmpty: a member the row leaves empty is cleared (null) when the stored position has a value for it.</summary>
        private static void Clear(string path, IDictionary<string, object?>? stored, IDictionary<string, object?>? wanted, IDictionary<string, object?> patch, List<SyncChange> changes)
        {
            var parts = path.Split('/');
            if (!SyncValues.IsNothing(SyncValues.At(wanted, parts)))
            {
                return;
            }

            var current = SyncValues.At(stored, parts);
            if (SyncValues.IsNothing(current))
            {
                return;
            }

            var target = patch;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!(target.TryGetValue(parts[i], out var next) && next is IDictionary<string, object?> nested))
                {
                    nested = new Dictionary<string, object?>(StringComparer.Ordinal);
                    target[parts[i]] = nested;
                }

                target = nested;
            }

            target[parts[parts.Length - 1]] = null;
            changes.Add(new SyncChange(string.Join(".", parts), SyncValues.Display(current), null));
        }
    }
}
