using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Sync
{
    /// <summary>
    /// How Sync-ProfilePosition compares values, on both sides as the wire sees them (neutral JSON values):
    /// month-and-year dates by year and month (2019-04 is 2019-04-01, and the day is never compared), enums
    /// case-insensitively and flags (allowedAudiences) as a set in any order, booleans and numbers by value, text exactly
    /// (but a key member's text case-insensitively, with surrounding spaces ignored), lists item by item in order,
    /// objects member by member (only the members the row gives). An absent member, a null and an empty text are one
    /// "nothing".
    /// </summary>
    internal static class SyncValues
    {
        /// <summary>The value at a Graph path of a neutral position, or null.</summary>
        public static object? At(IDictionary<string, object?>? position, IReadOnlyList<string> path)
        {
            object? current = position;
            foreach (var name in path)
            {
                if (!(current is IDictionary<string, object?> map))
                {
                    return null;
                }

                current = GraphJson.Lookup(map, name);
            }

            return current;
        }

        /// <summary>A key member's value in canonical form: equal text for values that are one key value.</summary>
        public static string KeyText(object? value, MemberSpec spec)
        {
            if (IsNothing(value))
            {
                return string.Empty;
            }

            switch (value)
            {
                case string text:
                    switch (spec.Kind)
                    {
                        case MemberKind.Date:
                            return TryMonth(text, out var month) ? month : text.Trim().ToUpperInvariant();
                        case MemberKind.FlagsEnum:
                            return string.Join(",", Flags(text).Select(flag => flag.ToLowerInvariant()).OrderBy(flag => flag, StringComparer.Ordinal));
                        default:
                            return text.Trim().ToUpperInvariant();
                    }

                case bool flag:
                    return flag ? "true" : "false";
                case IList list:
                    return "[" + string.Join(",", list.Cast<object?>().Select(item => KeyText(item, new MemberSpec(spec.Name, MemberKind.String)))) + "]";
                case IDictionary:
                    return GraphJson.Write(value);
                default:
                    var number = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
                    return decimal.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ? parsed.ToString(CultureInfo.InvariantCulture) : number;
            }
        }

        /// <summary>A key value as people read it: the text as given, dates as yyyy-MM, nothing as "".</summary>
        public static string KeyDisplay(object? value, MemberSpec spec)
        {
            if (IsNothing(value))
            {
                return string.Empty;
            }

            if (value is string text)
            {
                return spec.Kind == MemberKind.Date && TryMonth(text, out var month) ? month : text;
            }

            return Display(value) ?? string.Empty;
        }

        /// <summary>Whether the stored value is what the row asks for (see the class's rules).</summary>
        public static bool Same(object? wanted, object? stored, MemberSpec? spec)
        {
            if (IsNothing(wanted))
            {
                return IsNothing(stored);
            }

            if (IsNothing(stored))
            {
                return false;
            }

            switch (wanted)
            {
                case IDictionary<string, object?> wantedObject:
                    return stored is IDictionary<string, object?> storedObject && SameObject(wantedObject, storedObject, spec?.Type);
                case IList wantedList:
                    return SameList(wantedList, stored, spec);
                case bool flag:
                    return stored is bool storedFlag ? storedFlag == flag : stored is string storedText && bool.TryParse(storedText.Trim(), out var parsed) && parsed == flag;
                case string text:
                    return SameText(text, stored, spec);
                default:
                    return SameNumber(wanted!, stored);
            }
        }

        /// <summary>Every member the row gives (that the schema knows) is the same in the stored object.</summary>
        public static bool SameObject(IDictionary<string, object?> wanted, IDictionary<string, object?>? stored, TypeSpec? type)
        {
            foreach (var member in wanted)
            {
                var spec = type?.Find(member.Key);
                if (type != null && (spec == null || spec.ReadOnly))
                {
                    continue;
                }

                if (!Same(member.Value, GraphJson.Lookup(stored, member.Key), spec))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Nothing: absent, null, or an empty (or blank) text or list.</summary>
        public static bool IsNothing(object? value) =>
            value == null || (value is string text && text.Trim().Length == 0) || (value is IList list && list.Count == 0);

        /// <summary>A value as the Changes show it: 'text' in quotes, true, 12, JSON for lists and objects; null for nothing.</summary>
        public static string? Display(object? value)
        {
            switch (value)
            {
                case null:
                    return null;
                case string text:
                    return "'" + text + "'";
                case bool flag:
                    return flag ? "true" : "false";
                case IList _:
                case IDictionary _:
                    return GraphJson.Write(value);
                default:
                    return Convert.ToString(value, CultureInfo.InvariantCulture);
            }
        }

        private static bool SameList(IList wanted, object? stored, MemberSpec? spec)
        {
            if (!(stored is IList storedList) || storedList.Count != wanted.Count)
            {
                return false;
            }

            var itemSpec = spec?.Kind == MemberKind.ObjectList ? new MemberSpec(spec.Name, MemberKind.Object, spec.Type) : null;
            for (var i = 0; i < wanted.Count; i++)
            {
                if (!Same(wanted[i], storedList[i], itemSpec))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool SameText(string wanted, object? stored, MemberSpec? spec)
        {
            if (stored is IDictionary || stored is IList)
            {
                return false;
            }

            var storedText = stored as string ?? Convert.ToString(stored, CultureInfo.InvariantCulture) ?? string.Empty;
            switch (spec?.Kind)
            {
                case MemberKind.Enum:
                    return string.Equals(wanted.Trim(), storedText.Trim(), StringComparison.OrdinalIgnoreCase);
                case MemberKind.FlagsEnum:
                    return Flags(wanted).SetEquals(Flags(storedText));
                case MemberKind.Date:
                    if (TryMonth(wanted, out var wantedMonth) && TryMonth(storedText, out var storedMonth))
                    {
                        return wantedMonth == storedMonth;
                    }

                    break;
                case MemberKind.Int32:
                case MemberKind.Double:
                    return SameNumber(wanted, stored!);
            }

            return string.Equals(wanted, storedText, StringComparison.Ordinal);
        }

        private static bool SameNumber(object wanted, object? stored)
        {
            if (stored == null || stored is bool || stored is IDictionary || stored is IList)
            {
                return false;
            }

            var wantedText = Convert.ToString(wanted, CultureInfo.InvariantCulture);
            var storedText = Convert.ToString(stored, CultureInfo.InvariantCulture);
            if (decimal.TryParse(wantedText, NumberStyles.Float, CultureInfo.InvariantCulture, out var wantedNumber)
                && decimal.TryParse(storedText, NumberStyles.Float, CultureInfo.InvariantCulture, out var storedNumber))
            {
                return wantedNumber == storedNumber;
            }

            return string.Equals(wantedText, storedText, StringComparison.Ordinal);
        }

        private static HashSet<string> Flags(string text) =>
            new HashSet<string>(text.Split(',').Select(part => part.Trim()).Where(part => part.Length > 0), StringComparer.OrdinalIgnoreCase);

        /// <summary>yyyy-MM of a date in Graph's forms (yyyy-MM-dd, yyyy-MM, or with a time).</summary>
        private static bool TryMonth(string text, out string month)
        {
            var trimmed = text.Trim();
            if (DateTime.TryParseExact(trimmed, new[] { "yyyy-MM-dd", "yyyy-MM" }, CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                || DateTime.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out date))
            {
                month = date.ToString("yyyy-MM", CultureInfo.InvariantCulture);
                return true;
            }

            month = string.Empty;
            return false;
        }
    }
}
