using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace ProfilePositions
{
    /// <summary>
    /// The text the format views show for a nested Graph object: one "Name : value" line per member that has a value,
    /// in the order Graph sent them (one-line values first), nested objects indented under their name, as Format-List
    /// shows an object; dates as yyyy-MM, response annotations left out. The text
    /// form for machines stays <see cref="GraphObject.ToString"/> (compact JSON), which Export-Csv writes.
    /// </summary>
    public static class GraphListText
    {
        /// <summary>The members with values of a Graph object or dictionary as list lines; empty when none has a value.</summary>
        public static string Write(object? value)
        {
            var lines = Lines(value);
            return lines == null ? string.Empty : string.Join(Environment.NewLine, lines);
        }

        /// <summary>The value's lines, or null when it shows nothing (null, an empty text, list or object).</summary>
        private static List<string>? Lines(object? value)
        {
            switch (value)
            {
                case null:
                    return null;
                case string text:
                    return text.Length == 0 ? null : new List<string>(text.Replace("\r\n", "\n").Split('\n'));
                case GraphObject graphObject:
                    return MemberLines(graphObject.GetMembers());
                case IDictionary dictionary:
                    return MemberLines(GraphJsonText.Entries(dictionary));
                case IEnumerable sequence:
                    return ItemLines(sequence);
                default:
                    return new List<string> { Scalar(value) };
            }
        }

        private static List<string>? MemberLines(IEnumerable<KeyValuePair<string, object?>> members)
        {
            var shown = new List<KeyValuePair<string, List<string>>>();
            foreach (var member in members)
            {
                if (IsResponseAnnotation(member.Key))
                {
                    continue;
                }

                var lines = IsMonthYear(member.Key) ? Lines(MonthYear.FromMember(member.Value)?.ToString("yyyy-MM", CultureInfo.InvariantCulture)) : Lines(member.Value);
                if (lines != null)
                {
                    shown.Add(new KeyValuePair<string, List<string>>(Label(member.Key), lines));
                }
            }

            if (shown.Count == 0)
            {
                return null;
            }

            // One-line members first, then nested objects, so that a detail reads JobTitle before its company's address.
            shown = shown.Where(member => member.Value.Count == 1).Concat(shown.Where(member => member.Value.Count > 1)).ToList();

            var width = shown.Max(member => member.Key.Length);
            var result = new List<string>();
            foreach (var member in shown)
            {
                var indent = new string(' ', width + 3);
                result.Add(member.Key.PadRight(width) + " : " + member.Value[0]);
                result.AddRange(member.Value.Skip(1).Select(line => indent + line));
            }

            return result;
        }

        private static List<string>? ItemLines(IEnumerable items)
        {
            var texts = new List<string>();
            var blocks = new List<List<string>>();
            foreach (var item in items)
            {
                var lines = Lines(item);
                if (lines == null)
                {
                    continue;
                }

                if (lines.Count == 1 && !(item is GraphObject) && !(item is IDictionary))
                {
                    texts.Add(lines[0]);
                }
                else
                {
                    blocks.Add(lines);
                }
            }

            var result = new List<string>();
            if (texts.Count > 0)
            {
                result.Add(string.Join(", ", texts));
            }

            foreach (var block in blocks)
            {
                if (result.Count > 0)
                {
                    // A blank line between two objects of a list, as Format-List leaves between objects.
                    result.Add(string.Empty);
                }

                result.AddRange(block);
            }

            return result.Count == 0 ? null : result;
        }

        private static string Scalar(object value)
        {
            switch (value)
            {
                case bool b:
                    return b ? "True" : "False";
                case IFormattable formattable:
                    return formattable.ToString(null, CultureInfo.InvariantCulture);
                default:
                    return Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }

        /// <summary>What a response says about itself (@odata.context, @odata.etag...); @odata.type says what the object is.</summary>
        private static bool IsResponseAnnotation(string name) =>
            name.StartsWith("@odata.", StringComparison.Ordinal) && !string.Equals(name, "@odata.type", StringComparison.Ordinal);

        private static bool IsMonthYear(string name) =>
            string.Equals(name, "startMonthYear", StringComparison.Ordinal) || string.Equals(name, "endMonthYear", StringComparison.Ordinal);

        /// <summary>The property name PowerShell shows for a JSON member (jobTitle: JobTitle); annotations as they are.</summary>
        private static string Label(string name) =>
            name.Length == 0 || name[0] == '@' ? name : char.ToUpperInvariant(name[0]) + name.Substring(1);
    }
}
