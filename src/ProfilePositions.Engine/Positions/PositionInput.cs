using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// Shapes user input into Graph objects before anything is sent: keys matched case-insensitively at every
    /// level (also in case-sensitive dictionaries), Graph's camelCase on the wire, unknown keys kept with a warning,
    /// read-only keys dropped with a warning, explicit null kept, values checked against the member's type.
    /// </summary>
    internal sealed class PositionInput
    {
        private readonly IList<string> _warnings;

        public PositionInput(IList<string> warnings)
        {
            _warnings = warnings;
        }

        /// <summary>
        /// When true, read-only members are dropped without a warning: the input is a position read from Graph
        /// (a template for a new one, or piped back to update), where they are expected.
        /// </summary>
        public bool QuietReadOnly { get; set; }

        /// <summary>When false, unknown keys are sent without a warning (used for -AdditionalProperties, where they are the point).</summary>
        public bool WarnOnUnknown { get; set; } = true;

        /// <summary>When true, a null anywhere means "not given" (a piped row's cells), never "clear this member".</summary>
        public bool DropNulls { get; set; }

        /// <summary>The culture that reads numeric day/month dates such as 4/1/2019 (-DateCulture); null refuses them.</summary>
        public CultureInfo? DateCulture { get; set; }

        public GraphObject ShapeObject(object? input, TypeSpec type, string path)
        {
            var result = type.Create();
            var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var views = new List<(string Key, object? Value)>();
            foreach (var (key, rawValue, extra) in Members(AsEntries(input, path, type), path))
            {
                var memberPath = Join(path, key);
                if (seen.TryGetValue(key, out var earlier))
                {
                    throw new PositionInputException(memberPath, $"'{memberPath}' is given twice ('{earlier}' and '{key}'); keys are matched without regard to case, so keep only one.");
                }

                seen[key] = key;
                if (DropNulls && Unwrap(rawValue) == null)
                {
                    continue;
                }

                var member = type.Find(key);
                if (member == null)
                {
                    if (type == PositionSchema.WorkPosition && string.Equals(key, "userId", StringComparison.OrdinalIgnoreCase))
                    {
                        // The module's own addressing property (output objects carry it), not a Graph member.
                        _warnings.Add("'UserId' is not a member of a work position; it was not sent in the body (use -UserId to choose the user).");
                        continue;
                    }

                    if (type == PositionSchema.WorkPosition && OutputViews.IsView(key))
                    {
                        // A read-only view of the module's output (ConvertTo-Json writes it): checked once the body is shaped.
                        views.Add((key, rawValue));
                        continue;
                    }

                    if (key.StartsWith("@odata.", StringComparison.OrdinalIgnoreCase) && !string.Equals(key, "@odata.type", StringComparison.OrdinalIgnoreCase))
                    {
                        // Response annotations (@odata.context, @odata.etag...) describe a reply; they are never part of a write.
                        continue;
                    }

                    if (WarnOnUnknown && !extra && !key.StartsWith("@odata.", StringComparison.OrdinalIgnoreCase))
                    {
                        _warnings.Add($"'{memberPath}' is not a known member of {type.GraphName}; it is sent as given.");
                    }

                    result.SetMember(key, DropNulls ? WithoutNulls(ToPlain(rawValue)) : ToPlain(rawValue));
                    continue;
                }

                if (member.ReadOnly)
                {
                    if (QuietReadOnly)
                    {
                        continue;
                    }

                    _warnings.Add($"'{Join(path, member.Name)}' is set by Graph and cannot be written; it was not sent.");
                    continue;
                }

                var value = Unwrap(rawValue);
                if (value is string text && text.Length == 0 && member.Kind != MemberKind.String)
                {
                    // An empty CSV cell means "not given", not "clear this member".
                    continue;
                }

                result.SetMember(member.Name, ConvertValue(value, member, Join(path, member.Name)));
            }

            if (Unwrap(input) is Hashtable table && table.GetType() == typeof(Hashtable))
            {
                // A plain hashtable has no order of its own: use the docs' order so the JSON reads as documented.
                InSchemaOrder(result, type);
            }

            foreach (var (key, rawValue) in views)
            {
                CheckView(result, key, rawValue, Join(path, key));
            }

            return result;
        }

        /// <summary>
        /// A view such as JobTitle in a body is never sent: silently when it agrees with the member it reads
        /// (detail.jobTitle), with a warning when the body lacks that member, and it fails the item when they disagree
        /// (the view was edited, not the member, so sending the body would lose the change).
        /// </summary>
        private void CheckView(GraphObject shaped, string key, object? rawValue, string viewPath)
        {
            var value = Unwrap(rawValue);
            if (value == null || (value is string blank && blank.Trim().Length == 0))
            {
                return;
            }

            var memberPath = OutputViews.PathOf(key);
            var given = OutputViews.IsDate(key) ? ToDate(value, viewPath, DateCulture) : ToText(value, viewPath);
            var nested = OutputViews.Read(shaped, key);
            if (nested == null)
            {
                _warnings.Add($"'{viewPath}' is a read-only view of the module's output, not a member of a work position; it was not sent (give {memberPath}, or the parameter -{key}).");
            }
            else if (!string.Equals(Convert.ToString(nested, CultureInfo.InvariantCulture), given, StringComparison.Ordinal))
            {
                throw new PositionInputException(viewPath, $"'{viewPath}' ({Describe(given)}) disagrees with '{memberPath}' ({Describe(nested)}); '{key}' is a read-only view that is never sent, so change '{memberPath}', or give the same value in both.");
            }
        }

        /// <summary>
        /// The entries of an object, with the output objects' helper member AdditionalProperties (which ConvertTo-Json
        /// and Export-Csv write, as an object or as its text) opened up: its members are the object's own extra members,
        /// sent as given without a warning. "extra" is true for those.
        /// </summary>
        private IEnumerable<(string Key, object? Value, bool Extra)> Members(IEnumerable<KeyValuePair<string, object?>> entries, string path)
        {
            foreach (var entry in entries)
            {
                if (!string.Equals(entry.Key, AdditionalPropertiesName, StringComparison.OrdinalIgnoreCase))
                {
                    yield return (entry.Key, entry.Value, false);
                    continue;
                }

                var value = Unwrap(entry.Value);
                if (value == null || (value is string blank && blank.Trim().Length == 0))
                {
                    continue;
                }

                if (value is string text)
                {
                    value = ParseJson(text, Join(path, entry.Key));
                }

                IEnumerable<KeyValuePair<string, object?>> extras;
                switch (value)
                {
                    case GraphObject graphObject:
                        extras = graphObject.GetMembers();
                        break;
                    case IDictionary dictionary:
                        extras = GraphJson.Entries(dictionary);
                        break;
                    case IEnumerable<KeyValuePair<string, object?>> pairs:
                        extras = pairs;
                        break;
                    default:
                        throw new PositionInputException(Join(path, entry.Key), $"'{Join(path, entry.Key)}' must hold the extra members as an object (a hashtable or JSON object text); got {Describe(value)}.");
                }

                foreach (var extra in extras)
                {
                    yield return (extra.Key, extra.Value, true);
                }
            }
        }

        /// <summary>The output objects' bag of members that have no property (GraphObject.AdditionalProperties).</summary>
        private const string AdditionalPropertiesName = "AdditionalProperties";

        /// <summary>A plain value with every null member and item left out (a row's nulls mean "not given" at every depth).</summary>
        internal static object? WithoutNulls(object? value)
        {
            switch (value)
            {
                case IDictionary<string, object?> map:
                    var kept = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var pair in map)
                    {
                        if (pair.Value != null)
                        {
                            kept[pair.Key] = WithoutNulls(pair.Value);
                        }
                    }

                    return kept;
                case IList list when !(value is string):
                    var items = new List<object?>();
                    foreach (var item in list)
                    {
                        if (item != null)
                        {
                            items.Add(WithoutNulls(item));
                        }
                    }

                    return items;
                default:
                    return value;
            }
        }

        private static void InSchemaOrder(GraphObject target, TypeSpec type)
        {
            var members = new List<KeyValuePair<string, object?>>(target.GetMembers());
            foreach (var member in members)
            {
                target.RemoveMember(member.Key);
            }

            foreach (var spec in type.Members)
            {
                foreach (var member in members)
                {
                    if (member.Key == spec.Name)
                    {
                        target.SetMember(member.Key, member.Value);
                    }
                }
            }

            foreach (var member in members)
            {
                if (type.Find(member.Key) == null || type.Find(member.Key)!.Name != member.Key)
                {
                    target.SetMember(member.Key, member.Value);
                }
            }
        }

        public object? ConvertValue(object? value, MemberSpec member, string path)
        {
            value = Unwrap(value);
            if (value == null)
            {
                return null;
            }

            switch (member.Kind)
            {
                case MemberKind.String:
                    return ToText(value, path);
                case MemberKind.Boolean:
                    return ToBoolean(value, path);
                case MemberKind.Int32:
                    return ToInt32(value, path);
                case MemberKind.Double:
                    return ToDouble(value, path);
                case MemberKind.Date:
                    return ToDate(value, path, DateCulture);
                case MemberKind.Enum:
                    return ToEnum(value, member.Enum!, path);
                case MemberKind.FlagsEnum:
                    return ToFlags(value, member.Enum!, path);
                case MemberKind.Object:
                    return ShapeObject(value, member.Type!, path);
                case MemberKind.ObjectList:
                    return ToObjectList(value, member.Type!, path);
                case MemberKind.StringList:
                    return ToStringList(value, path);
                default:
                    return ToPlain(value);
            }
        }

        private IEnumerable<KeyValuePair<string, object?>> AsEntries(object? input, string path, TypeSpec type)
        {
            input = Unwrap(input);
            switch (input)
            {
                case GraphObject graphObject:
                    return graphObject.GetMembers();
                case IDictionary dictionary:
                    return GraphJson.Entries(dictionary);
                case IEnumerable<KeyValuePair<string, object?>> pairs:
                    return pairs;
                case string json:
                    if (ParseJson(json, path) is IDictionary<string, object?> parsed)
                    {
                        return parsed;
                    }

                    break;
            }

            var where = path.Length == 0 ? "The body" : $"'{path}'";
            throw new PositionInputException(path.Length == 0 ? "BodyParameter" : path, $"{where} must be a {type.GraphName} object: a hashtable, an object with properties or a JSON object string; got {Describe(input)}.");
        }

        private GraphList<string> ToStringList(object value, string path)
        {
            if (value is string text)
            {
                var trimmed = text.Trim();
                if (trimmed.StartsWith("[", StringComparison.Ordinal) && TryParseJson(trimmed) is IList parsedList)
                {
                    return ToStringList(parsedList, path);
                }

                return new GraphList<string> { text };
            }

            if (value is IDictionary || value is GraphObject || !(value is IEnumerable items))
            {
                if (value is IDictionary || value is GraphObject)
                {
                    throw new PositionInputException(path, $"'{path}' must be a list of text values; got {Describe(value)}.");
                }

                return new GraphList<string> { ToText(value, path) };
            }

            var list = new GraphList<string>();
            foreach (var item in items)
            {
                var plain = Unwrap(item);
                if (plain == null && DropNulls)
                {
                    continue;
                }

                list.Add(plain == null ? null! : ToText(plain, path));
            }

            return list;
        }

        private IList ToObjectList(object value, TypeSpec type, string path)
        {
            var list = type.CreateList();
            if (value is string text)
            {
                var parsed = ParseJson(text, path);
                value = parsed ?? throw new PositionInputException(path, $"'{path}' must be a list of {type.GraphName} objects.");
            }

            if (value is IDictionary || value is GraphObject || value is IEnumerable<KeyValuePair<string, object?>>)
            {
                // One object where a list is expected: PowerShell unrolls single-item arrays, so accept it.
                list.Add(ShapeObject(value, type, path + "[0]"));
                return list;
            }

            if (!(value is IEnumerable items))
            {
                throw new PositionInputException(path, $"'{path}' must be a list of {type.GraphName} objects; got {Describe(value)}.");
            }

            var index = 0;
            foreach (var item in items)
            {
                var plain = Unwrap(item);
                if (plain == null && DropNulls)
                {
                    continue;
                }

                list.Add(plain == null ? null : ShapeObject(plain, type, path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]"));
                index++;
            }

            return list;
        }

        private static string ToText(object value, string path)
        {
            switch (value)
            {
                case string s:
                    return s;
                case DateTime dt:
                    return dt.ToString("o", CultureInfo.InvariantCulture);
                case DateTimeOffset dto:
                    return dto.ToString("o", CultureInfo.InvariantCulture);
                case bool b:
                    return b ? "true" : "false";
                case IDictionary _:
                case GraphObject _:
                case IList _:
                    throw new PositionInputException(path, $"'{path}' must be a text value; got {Describe(value)}.");
                default:
                    return Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            }
        }

        private static bool ToBoolean(object value, string path)
        {
            if (PositionValues.TryReadBoolean(value, out var parsed))
            {
                return parsed;
            }

            throw new PositionInputException(path, $"'{path}' must be $true or $false (or the text True/False, Yes/No, 1/0); got {Describe(value)}.");
        }

        private static int ToInt32(object value, string path)
        {
            var number = value is bool ? null : PositionReader.ReadInt32(value);
            return number ?? throw new PositionInputException(path, $"'{path}' must be a whole number; got {Describe(value)}.");
        }

        private static double ToDouble(object value, string path)
        {
            var number = value is bool ? null : PositionReader.ReadDouble(value);
            return number ?? throw new PositionInputException(path, $"'{path}' must be a number; got {Describe(value)}.");
        }

        /// <summary>Edm.Date "yyyy-MM-dd" from the forms <see cref="PositionDates"/> accepts, or from a [datetime] (its date).</summary>
        internal static string ToDate(object value, string path, CultureInfo? dateCulture = null)
        {
            switch (value)
            {
                case MonthYear monthYear:
                    // The output's own value (-StartMonthYear $position.StartMonthYear): its Graph text, read like any text.
                    return ToDate(monthYear.Text, path, dateCulture);
                case IDictionary map when map.Contains("Text") && map.Keys.Cast<object>().All(key => key as string is "Text" or "Date") && map["Text"] is string text:
                    // A MonthYear as ConvertTo-Json writes one that is not reached through a CLR property (Select-Object *).
                    return ToDate(text, path, dateCulture);
                case DateTime dt:
                    return PositionDates.Format(dt.Date);
                case DateTimeOffset dto:
                    return PositionDates.Format(dto.Date);
                case string dateText:
                    var result = PositionDates.Read(dateText, dateCulture, out var problem);
                    if (result != null)
                    {
                        return result;
                    }

                    throw new PositionInputException(path, $"'{path}' {problem}; got {Describe(value)}.");
            }

            throw new PositionInputException(path, $"'{path}' must be a date: yyyy-MM-dd, yyyy-MM (e.g. 2021-03 for March 2021), a month name (March 2021) or a [datetime]; got {Describe(value)}.");
        }

        private static string ToEnum(object value, EnumSpec spec, string path)
        {
            // Names only: the numbers Graph's metadata gives the members are for reading old responses, never for writing
            // ("8" in a CSV cell is a typo far more often than a deliberate "organization").
            var name = value is Enum e ? spec.FindName(e.ToString()) : value is string text ? spec.FindName(text.Trim()) : null;
            return name ?? throw new PositionInputException(path, $"'{path}' must be one of {spec.Describe()}; got {Describe(value)}.");
        }

        private static string ToFlags(object value, EnumSpec spec, string path)
        {
            string? names = null;
            if (value is Enum e)
            {
                names = PositionReader.FlagNames(e.ToString().Replace(" ", string.Empty), spec);
            }
            else if (value is string text)
            {
                names = PositionReader.FlagNames(text, spec);
            }
            else if (value is IEnumerable items && !(value is IDictionary))
            {
                var parts = new List<string>();
                foreach (var item in items)
                {
                    parts.Add(ToFlags(Unwrap(item) ?? string.Empty, spec, path));
                }

                names = parts.Count == 0 ? null : string.Join(",", parts);
            }

            var numeric = value is string digits && digits.Trim().Length > 0 && digits.Split(',').Any(part => int.TryParse(part.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out _));
            return names ?? throw new PositionInputException(path, $"'{path}' must be one of {spec.Describe()} (several may be combined with commas); got {Describe(value)}." + (numeric || (value is IConvertible number && PositionReader.IsNumber(number)) ? " Numbers are not accepted: write the names." : string.Empty));
        }

        /// <summary>Unknown members are sent as given; nested hashtables and arrays become JSON objects and arrays.</summary>
        internal static object? ToPlain(object? value)
        {
            value = Unwrap(value);
            switch (value)
            {
                case null:
                case string _:
                case bool _:
                case GraphObject _:
                    return value;
                case IDictionary dictionary:
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var entry in GraphJson.Entries(dictionary))
                    {
                        map[entry.Key] = ToPlain(entry.Value);
                    }

                    return map;
                case IEnumerable sequence:
                    var list = new List<object?>();
                    foreach (var item in sequence)
                    {
                        list.Add(ToPlain(item));
                    }

                    return list;
                default:
                    return value;
            }
        }

        /// <summary>
        /// PowerShell wrappers the cmdlets may let through: PSObject (its base object or, for a PSCustomObject, its
        /// properties) and SwitchParameter. Read by name so the engine never references PowerShell.
        /// </summary>
        internal static object? Unwrap(object? value)
        {
            for (var depth = 0; value != null && depth < 4; depth++)
            {
                var typeName = value.GetType().FullName;
                if (typeName == "System.Management.Automation.SwitchParameter")
                {
                    return value.GetType().GetProperty("IsPresent")?.GetValue(value);
                }

                if (typeName != "System.Management.Automation.PSObject")
                {
                    return value;
                }

                var baseObject = value.GetType().GetProperty("BaseObject")?.GetValue(value);
                if (baseObject == null || baseObject.GetType().FullName != "System.Management.Automation.PSCustomObject")
                {
                    value = baseObject;
                    continue;
                }

                var properties = new Dictionary<string, object?>(StringComparer.Ordinal);
                if (value.GetType().GetProperty("Properties")?.GetValue(value) is IEnumerable members)
                {
                    foreach (var property in members)
                    {
                        var name = property.GetType().GetProperty("Name")?.GetValue(property) as string;
                        if (name != null)
                        {
                            properties[name] = property.GetType().GetProperty("Value", BindingFlags.Public | BindingFlags.Instance)?.GetValue(property);
                        }
                    }
                }

                return properties;
            }

            return value;
        }

        private static object? ParseJson(string text, string path)
        {
            try
            {
                return (GraphJson.Parse(text));
            }
            catch (JsonException ex)
            {
                var where = path.Length == 0 ? "The body" : $"'{path}'";
                throw new PositionInputException(path.Length == 0 ? "BodyParameter" : path, $"{where} is text but not valid JSON ({ex.Message}).");
            }
        }

        private static object? TryParseJson(string text)
        {
            try
            {
                return (GraphJson.Parse(text));
            }
            catch (JsonException)
            {
                return null;
            }
        }

        internal static string Describe(object? value)
        {
            switch (value)
            {
                case null:
                    return "$null";
                case string s:
                    return "'" + (s.Length > 60 ? s.Substring(0, 60) + "…" : s) + "'";
                case bool b:
                    return b ? "$true" : "$false";
                case IDictionary _:
                    return "a hashtable";
                case GraphObject g:
                    return "a " + g.GetType().Name;
                case IEnumerable _:
                    return "a list";
                default:
                    return Convert.ToString(value, CultureInfo.InvariantCulture) + " (" + value.GetType().Name + ")";
            }
        }

        private static string Join(string path, string name) => path.Length == 0 ? name : path + "." + name;
    }
}
