using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ProfilePositions.Engine.Runtime
{
    /// <summary>The writes a -WhatIf run showed, by method, for the one total line at its end.</summary>
    public sealed class WhatIfTotal
    {
        // Method -> (one, many), in the order a reader expects them.
        private static readonly (string Method, string One, string Many)[] Kinds =
        {
            ("POST", "create", "creates"),
            ("PATCH", "update", "updates"),
            ("DELETE", "removal", "removals"),
        };

        private readonly Dictionary<string, int> _counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);

        /// <summary>True once a request was shown.</summary>
        public bool Any => _counts.Count > 0;

        /// <summary>Counts one request that -WhatIf showed instead of sending.</summary>
        public void Count(string method)
        {
            _counts.TryGetValue(method, out var count);
            _counts[method] = count + 1;
        }

        /// <summary>"3 creates would be sent (New-ProfilePosition: 5 items; 1 skipped as existing, 1 failed)."</summary>
        public string Describe(string command, int items, int skipped, int failed)
        {
            var parts = new List<string>();
            foreach (var kind in Kinds)
            {
                if (_counts.TryGetValue(kind.Method, out var count))
                {
                    parts.Add(Counted(count, kind.One, kind.Many));
                }
            }

            // Any other method, should one ever be shown.
            parts.AddRange(_counts.Where(entry => !Kinds.Any(kind => string.Equals(kind.Method, entry.Key, StringComparison.OrdinalIgnoreCase)))
                .Select(entry => Counted(entry.Value, entry.Key + " request", entry.Key + " requests")));

            var sent = parts.Count == 0 ? "Nothing would be sent" : string.Join(", ", parts) + " would be sent";
            var others = new List<string>();
            if (skipped > 0)
            {
                others.Add(skipped.ToString(CultureInfo.InvariantCulture) + " skipped as existing");
            }

            if (failed > 0)
            {
                others.Add(failed.ToString(CultureInfo.InvariantCulture) + " failed");
            }

            return sent + " (" + command + ": " + Counted(items, "item", "items") + (others.Count == 0 ? string.Empty : "; " + string.Join(", ", others)) + ").";
        }

        private static string Counted(int count, string one, string many) => count.ToString(CultureInfo.InvariantCulture) + " " + (count == 1 ? one : many);
    }
}
