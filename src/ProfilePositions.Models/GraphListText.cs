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
    /// in the order Graph sent them (values first), a nested object's members on the lines below its name, two spaces
    /// in, as Format-List shows an object; dates as yyyy-MM, response annotations left out. The text
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
        private static List<string>? Lines(object? value) => Lines(value, out _);

        /// <param name="value">A member's value.</param>
        /// <param name="isObject">True for an object or a list of objects, shown below its name rather than beside it.</param>
        private static List<string>? Lines(object? value, out bool isObject)
        {
            isObject = value is GraphObject || value is IDictionary;
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
                    return ItemLines(sequence, out isObject);
                default:
                    return new List<string> { Scalar(value) };
            }
        }

        private static List<string>? MemberLines(IEnumerable<KeyValuePair<string, object?>> members)
        {
            var shown = new List<(string Label, List<string> Lines, bool IsObject)>();
            foreach (var member in members)
            {
                if (IsResponseAnnotation(member.Key))
                {
                    continue;
                }

                var isObject = false;
                var lines = IsMonthYear(member.Key) ? Lines(MonthYear.FromMember(member.Value)?.ToString("yyyy-MM", CultureInfo.InvariantCulture)) : Lines(member.Value, out isObject);
                if (lines != null)
                {
                    shown.Add((Label(member.Key), lines, isObject));
                }
            }

            if (shown.Count == 0)
            {
                return null;
            }

            // Values first, then nested objects, so that a detail reads JobTitle before its company's address.
            shown = shown.Where(member => !member.IsObject).Concat(shown.Where(member => member.IsObject)).ToList();
            var width = shown.Max(member => member.Label.Length);
            var result = new List<string>();
            foreach (var member in shown)
            {
                if (member.IsObject)
                {
                    // Below its name, two spaces in, so that nesting stays narrow enough for an 80-column console.
                    result.Add(member.Label.PadRight(width) + " :");
                    result.AddRange(member.Lines.Select(line => line.Length == 0 ? line : "  " + line));
                }
                else
                {
                    var indent = new string(' ', width + 3);
                    result.Add(member.Label.PadRight(width) + " : " + member.Lines[0]);
                    result.AddRange(member.Lines.Skip(1).Select(line => indent + line));
                }
            }

            return result;
        }

        private static List<string>? ItemLines(IEnumerable items, out bool isObject)
        {
            var texts = new List<string>();
            var blocks = new List<List<string>>();
            foreach (var item in items)
            {
                var lines = Lines(item, out var itemIsObject);
                if (lines == null)
                {
                    continue;
                }

                if (itemIsObject)
                {
                    blocks.Add(lines);
                }
                else
                {
                    texts.AddRange(lines);
                }
            }

            // Text values on one line (Categories: a, b); objects one below the other, a blank line between two.
            isObject = blocks.Count > 0;
            var result = new List<string>();
            if (texts.Count > 0)
            {
                result.Add(string.Join(", ", texts));
            }

            foreach (var block in blocks)
            {
                if (result.Count > 0)
                {
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
