using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Sync
{
    /// <summary>A user's plan as -WhatIf and -Confirm show it: a caption with the counts, then one line per action.</summary>
    public static class SyncPlanText
    {
        private static readonly (SyncStep Step, string One, string Many)[] Kinds =
        {
            (SyncStep.Create, "create", "creates"), (SyncStep.Update, "update", "updates"), (SyncStep.Remove, "removal", "removals"),
            (SyncStep.Unchanged, "unchanged", "unchanged"), (SyncStep.Unlisted, "unlisted", "unlisted"),
        };

        public static string Method(SyncStep step) => step == SyncStep.Create ? "POST" : step == SyncStep.Update ? "PATCH" : "DELETE";

        /// <summary>
        /// The caption and the lines; <paramref name="preview"/> gives the exact request a write would send (method, URL
        /// and JSON), so the plan shows what -WhatIf shows for the other cmdlets.
        /// </summary>
        public static (string Caption, string Lines) Describe(SyncUserPlan plan, string user, Func<string, PlannedAction, RequestPreview> preview)
        {
            var lines = new List<string>();
            foreach (var action in plan.Actions)
            {
                switch (action.Step)
                {
                    case SyncStep.Create:
                        lines.Add("  create " + Request(preview, action) + " [" + action.Key + "]");
                        break;
                    case SyncStep.Update:
                        lines.Add("  update " + Request(preview, action) + " [" + action.Key + "] " + string.Join("; ", action.Changes.Select(change => change.ToString())));
                        break;
                    case SyncStep.Remove:
                        lines.Add("  remove " + Request(preview, action) + " [" + action.Key + "]");
                        break;
                    case SyncStep.Unchanged:
                        lines.Add("  unchanged " + action.Stored!.Id + " [" + action.Key + "]");
                        break;
                    default:
                        lines.Add("  unlisted " + action.Stored!.Id + " [" + action.Key + "] (kept; -RemoveUnlisted would remove it)");
                        break;
                }
            }

            var counts = string.Join(", ", Kinds
                .Select(kind => (Kind: kind, Count: plan.Count(kind.Step))).Where(pair => pair.Count > 0)
                .Select(pair => pair.Count.ToString(CultureInfo.InvariantCulture) + " " + (pair.Count == 1 ? pair.Kind.One : pair.Kind.Many)));
            var caption = "Sync the positions of '" + user + "' (" + plan.StoredCount.ToString(CultureInfo.InvariantCulture) + " stored; " + (counts.Length == 0 ? "nothing to do" : counts) + ")";
            return (caption, string.Join(Environment.NewLine, lines));
        }

        private static string Request(Func<string, PlannedAction, RequestPreview> preview, PlannedAction action)
        {
            var request = preview(Method(action.Step), action);
            return request.Json == null ? request.Method + " " + request.Url : request.Method + " " + request.Url + " " + request.Json;
        }
    }
}
