using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// Whether a stored position is what a create body asked for: every schema member of the body equals the stored value
    /// (annotations such as @odata.type and members the schema does not know are not compared).
    /// Members are found by Graph name, case-insensitively; nested objects compare member by member (the server may
    /// add members the body did not give); a null in the body matches null or absent; lists compare item by item in
    /// order; enum values compare case-insensitively (flags as a set); month-and-year dates compare by month and year;
    /// numbers by value.
    /// </summary>
    public static class PositionMatcher
    {
        public static bool Matches(PositionBody body, WorkPosition stored)
        {
            if (body == null)
            {
                throw new ArgumentNullException(nameof(body));
            }

            if (stored == null)
            {
                return false;
            }

            // Both sides as the wire sees them, so typed models, dictionaries and lists compare alike.
            return MatchesObject(Neutral(body.Value), Neutral(stored), PositionSchema.WorkPosition);
        }

        private static IDictionary<string, object?>? Neutral(GraphObject value) => GraphJson.Parse(GraphJson.Write(value)) as IDictionary<string, object?>;

        private static bool MatchesObject(IDictionary<string, object?>? sent, IDictionary<string, object?>? stored, TypeSpec? type)
        {
            if (sent == null)
            {
                return true;
            }

            foreach (var member in sent)
            {
                var spec = type?.Find(member.Key);
                if (spec == null && type != null)
                {
                    // Only the schema's members identify a position: annotations (@odata.type) and members this module
                    // does not know are not stored back as sent, so comparing them would miss the position and create it twice.
                    continue;
                }

                if (!MatchesValue(member.Value, GraphJson.Lookup(stored, member.Key), spec))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool MatchesValue(object? sent, object? stored, MemberSpec? spec)
        {
            switch (sent)
            {
                case null:
                    return stored == null;
                case IDictionary<string, object?> sentObject:
                    return stored is IDictionary<string, object?> storedObject && MatchesObject(sentObject, storedObject, spec?.Type);
                case IList sentList:
                    return MatchesList(sentList, stored, spec);
                case bool flag:
                    return stored is bool storedFlag ? storedFlag == flag
                        : stored is string storedText && bool.TryParse(storedText.Trim(), out var parsed) && parsed == flag;
                case string text:
                    return MatchesText(text, stored, spec);
                default:
                    return MatchesNumber(sent, stored);
            }
        }

        private static bool MatchesList(IList sent, object? stored, MemberSpec? spec)
        {
            if (!(stored is IList storedList) || storedList.Count != sent.Count)
            {
                return false;
            }

            // Items of an object list have the member's type; items of a string list are plain strings.
            var itemSpec = spec?.Kind == MemberKind.ObjectList ? new MemberSpec(spec.Name, MemberKind.Object, spec.Type) : null;
            for (var i = 0; i < sent.Count; i++)
            {
                if (!MatchesValue(sent[i], storedList[i], itemSpec))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool MatchesText(string sent, object? stored, MemberSpec? spec)
        {
            if (stored == null || stored is IDictionary || stored is IList)
            {
                return false;
            }

            var storedText = stored as string ?? Convert.ToString(stored, CultureInfo.InvariantCulture) ?? string.Empty;
            switch (spec?.Kind)
            {
                case MemberKind.Enum:
                    return string.Equals(sent.Trim(), storedText.Trim(), StringComparison.OrdinalIgnoreCase);
                case MemberKind.FlagsEnum:
                    return Flags(sent).SetEquals(Flags(storedText));
                case MemberKind.Date:
                case MemberKind.DateTimeOffset:
                    if (TryDate(sent, out var sentDate) && TryDate(storedText, out var storedDate))
                    {
                        // A month-and-year member matches by month and year: 2019-04 (the first) and 2019-04-15 are one start.
                        return spec.Kind == MemberKind.Date
                            ? sentDate.UtcDateTime.Year == storedDate.UtcDateTime.Year && sentDate.UtcDateTime.Month == storedDate.UtcDateTime.Month
                            : sentDate == storedDate;
                    }

                    break;
            }

            return string.Equals(sent, storedText, StringComparison.Ordinal);
        }

        private static bool MatchesNumber(object sent, object? stored)
        {
            if (stored == null || stored is bool || stored is IDictionary || stored is IList)
            {
                return false;
            }

            var sentText = Convert.ToString(sent, CultureInfo.InvariantCulture);
            var storedText = Convert.ToString(stored, CultureInfo.InvariantCulture);
            if (decimal.TryParse(sentText, NumberStyles.Float, CultureInfo.InvariantCulture, out var sentNumber)
                && decimal.TryParse(storedText, NumberStyles.Float, CultureInfo.InvariantCulture, out var storedNumber))
            {
                return sentNumber == storedNumber;
            }

            return string.Equals(sentText, storedText, StringComparison.Ordinal);
        }

        private static HashSet<string> Flags(string text) =>
            new HashSet<string>(text.Split(',').Select(part => part.Trim()).Where(part => part.Length > 0), StringComparer.OrdinalIgnoreCase);

        private static bool TryDate(string text, out DateTimeOffset date) =>
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out date);
    }
}
