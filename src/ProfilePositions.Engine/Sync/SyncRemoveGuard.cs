using System.Collections.Generic;
using System.Globalization;

namespace ProfilePositions.Engine.Sync
{
    /// <summary>
    /// The guard a wrong -Key or a half-written input file needs: a plan that removes more than a share of the
    /// positions of the users read is not carried out unless the caller insists (-Force).
    /// </summary>
    public static class SyncRemoveGuard
    {
        /// <summary>The share of the users' stored positions the plans would remove, in percent (0 when they hold none).</summary>
        public static double RemovePercent(IEnumerable<SyncUserPlan> plans, out int removes, out int stored, out int users)
        {
            removes = 0;
            stored = 0;
            users = 0;
            foreach (var plan in plans)
            {
                if (plan.Failure == null)
                {
                    users++;
                    removes += plan.Count(SyncStep.Remove);
                    stored += plan.StoredCount;
                }
            }

            return stored == 0 ? 0 : removes * 100.0 / stored;
        }

        /// <summary>Null when the plans stay within <paramref name="maxRemovePercent"/>; otherwise what to tell the user.</summary>
        public static string? Check(IEnumerable<SyncUserPlan> plans, double maxRemovePercent)
        {
            var percent = RemovePercent(plans, out var removes, out var stored, out var users);
            if (percent <= maxRemovePercent)
            {
                return null;
            }

            return "The plan removes " + removes.ToString(CultureInfo.InvariantCulture) + " of the " + stored.ToString(CultureInfo.InvariantCulture) + " positions of the " +
                users.ToString(CultureInfo.InvariantCulture) + " user(s) read (" + percent.ToString("0.#", CultureInfo.InvariantCulture) + " %), more than -MaxRemovePercent " +
                maxRemovePercent.ToString("0.#", CultureInfo.InvariantCulture) + ", so nothing was written. A wrong -Key or a half-written input file makes positions look unlisted: check them, look at the plan with -WhatIf, " +
                "and if the removals are meant run again with -Force (or a higher -MaxRemovePercent).";
        }
    }
}
