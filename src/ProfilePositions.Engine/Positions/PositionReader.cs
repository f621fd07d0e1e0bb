using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// Turns what Graph sent into the models, leniently: "True" reads as true, "8" as "organization", a relationship
    /// or address type number as its name, "datetime-value" stays a string, source.type may be one string or a list,
    /// unknown members are kept. A value that fits no rule is kept as it came, never an exception.
    /// </summary>
    internal static class PositionReader
    {
        public static WorkPosition ReadPosition(object? neutral, string? userId)
        {
            var position = neutral is IDictionary<string, object?> map
                ? (WorkPosition)ReadObject(map, PositionSchema.WorkPosition)
                : new WorkPosition();
            position.UserId = userId;
            return position;
        }

        /// <summary>
        /// The same as <see cref="ReadPosition(object?, string?)"/> over <see cref="GraphJson.Parse"/> of the same text, read
        /// straight from the parsed document: objects the schema knows become models without a plain dictionary first.
        /// </summary>
        public static WorkPosition ReadPosition(JsonElement root, string? userId)
        {
            var position = root.ValueKind == JsonValueKind.Object
                ? (WorkPosition)ReadObject(root, PositionSchema.WorkPosition)
                : new WorkPosition();
            position.UserId = userId;
            return position;
        }

        /// <summary>
        /// As <see cref="ReadObject(IDictionary{string, object?}, TypeSpec)"/>: members in the order they came (a repeated
        /// member keeps its first place and its last value, as the plain dictionary did), known members in Graph's casing.
        /// </summary>
        public static GraphObject ReadObject(JsonElement element, TypeSpec type)
        {
            var result = type.Create();
            foreach (var property in element.EnumerateObject())
            {
                var member = type.Find(property.Name);
                if (member == null)
                {
                    result.SetMember(property.Name, GraphJson.ToNeutral(property.Value));
                    continue;
                }

                result.SetMember(member.Name, ReadValue(property.Value, member));
            }

            return result;
        }

        private static object? ReadValue(JsonElement value, MemberSpec member)
        {
            switch (member.Kind)
            {
                case MemberKind.Object when value.ValueKind == JsonValueKind.Object:
                    return ReadObject(value, member.Type!);
                case MemberKind.ObjectList when value.ValueKind == JsonValueKind.Object:
                    var one = member.Type!.CreateList();
                    one.Add(ReadObject(value, member.Type!));
                    return one;
                case MemberKind.ObjectList when value.ValueKind == JsonValueKind.Array && ObjectsOrNulls(value):
                    var list = member.Type!.CreateList();
                    foreach (var item in value.EnumerateArray())
                    {
                        list.Add(item.ValueKind == JsonValueKind.Null ? null : ReadObject(item, member.Type!));
                    }

                    return list;
                default:
                    return ReadValue(GraphJson.ToNeutral(value), member);
            }
        }

        private static bool ObjectsOrNulls(JsonElement array)
        {
            foreach (var item in array.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object && item.ValueKind != JsonValueKind.Null)
                {
                    return false;
                }
            }

            return true;
        }

        public static GraphObject ReadObject(IDictionary<string, object?> map, TypeSpec type)
        {
            var result = type.Create();
            foreach (var pair in map)
            {
                var member = type.Find(pair.Key);
                if (member == null)
                {
                    result.SetMember(pair.Key, pair.Value);
                    continue;
                }

                // Graph's own casing wins over whatever casing the response used.
                result.SetMember(member.Name, ReadValue(pair.Value, member));
            }

            return result;
        }

        public static object? ReadValue(object? raw, MemberSpec member)
        {
            if (raw == null)
            {
                return null;
            }

            switch (member.Kind)
            {
                case MemberKind.String:
                    return raw is string || raw is IDictionary || raw is IList ? raw : Convert.ToString(raw, CultureInfo.InvariantCulture);
                case MemberKind.Boolean:
                    return ReadBoolean(raw) ?? raw;
                case MemberKind.Int32:
                    return ReadInt32(raw) ?? raw;
                case MemberKind.Double:
                    return ReadDouble(raw) ?? raw;
                case MemberKind.Enum:
                    return ReadEnum(raw, member.Enum!) ?? raw;
                case MemberKind.FlagsEnum:
                    return ReadFlags(raw, member.Enum!) ?? raw;
                case MemberKind.Object:
                    return raw is IDictionary<string, object?> objectMap ? ReadObject(objectMap, member.Type!) : raw;
                case MemberKind.ObjectList:
                    return ReadObjectList(raw, member.Type!) ?? raw;
                case MemberKind.StringList:
                    return ReadStringList(raw) ?? raw;
                default:
                    // Date and DateTimeOffset stay text: the docs' own examples send "datetime-value".
                    return raw;
            }
        }

        internal static bool? ReadBoolean(object raw)
        {
            switch (raw)
            {
                case bool b:
                    return b;
                case string s when bool.TryParse(s.Trim(), out var parsed):
                    return parsed;
                case string s when s.Trim() == "1":
                    return true;
                case string s when s.Trim() == "0":
                    return false;
                case int i when i == 0 || i == 1:
                    return i == 1;
                default:
                    return null;
            }
        }

        internal static int? ReadInt32(object raw)
        {
            var number = ReadDouble(raw);
            if (number.HasValue && Math.Abs(number.Value % 1) < double.Epsilon && number.Value >= int.MinValue && number.Value <= int.MaxValue)
            {
                return (int)number.Value;
            }

            return null;
        }

        internal static double? ReadDouble(object raw)
        {
            switch (raw)
            {
                case string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
                case string _:
                case bool _:
                    return null;
                case IConvertible convertible when IsNumber(convertible):
                    return convertible.ToDouble(CultureInfo.InvariantCulture);
                default:
                    return null;
            }
        }

        internal static bool IsNumber(IConvertible value)
        {
            switch (value.GetTypeCode())
            {
                case TypeCode.SByte:
                case TypeCode.Byte:
                case TypeCode.Int16:
                case TypeCode.UInt16:
                case TypeCode.Int32:
                case TypeCode.UInt32:
                case TypeCode.Int64:
                case TypeCode.UInt64:
                case TypeCode.Single:
                case TypeCode.Double:
                case TypeCode.Decimal:
                    return true;
                default:
                    return false;
            }
        }

        internal static string? ReadEnum(object raw, EnumSpec spec)
        {
            if (raw is string text)
            {
                text = text.Trim();
                var byName = spec.FindName(text);
                if (byName != null)
                {
                    return byName;
                }

                return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? spec.FindName(number) : null;
            }

            var value = ReadInt32(raw);
            return value.HasValue ? spec.FindName(value.Value) : null;
        }

        /// <summary>Flags: "organization", "organization,contacts", "8", 10 (= contacts + organization).</summary>
        internal static string? ReadFlags(object raw, EnumSpec spec)
        {
            if (raw is string text)
            {
                if (int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    return FlagsFromNumber(number, spec);
                }

                return FlagNames(text, spec);
            }

            var value = ReadInt32(raw);
            return value.HasValue ? FlagsFromNumber(value.Value, spec) : null;
        }

        /// <summary>"organization" or "organization, contacts" (names only, any case); null when a part is not a name.</summary>
        internal static string? FlagNames(string text, EnumSpec spec)
        {
            if (text.IndexOf(',') < 0)
            {
                // One name (what Graph sends): the same answer without splitting and joining.
                return spec.FindName(text.Trim());
            }

            var names = new List<string>();
            foreach (var part in text.Split(','))
            {
                var name = spec.FindName(part.Trim());
                if (name == null)
                {
                    return null;
                }

                names.Add(name);
            }

            return names.Count == 0 ? null : string.Join(",", names);
        }

        internal static string? FlagsFromNumber(int number, EnumSpec spec)
        {
            if (number == 0)
            {
                return spec.FindName(0);
            }

            var names = new List<string>();
            var remaining = number;
            foreach (var member in spec.Members)
            {
                if (member.Value != 0 && (number & member.Value) == member.Value)
                {
                    names.Add(member.Name);
                    remaining &= ~member.Value;
                }
            }

            return remaining == 0 && names.Count > 0 ? string.Join(",", names) : null;
        }

        private static IList? ReadObjectList(object raw, TypeSpec type)
        {
            if (raw is IDictionary<string, object?> single)
            {
                var one = type.CreateList();
                one.Add(ReadObject(single, type));
                return one;
            }

            if (!(raw is IList items))
            {
                return null;
            }

            var list = type.CreateList();
            foreach (var item in items)
            {
                if (item is IDictionary<string, object?> map)
                {
                    list.Add(ReadObject(map, type));
                }
                else if (item == null)
                {
                    list.Add(null);
                }
                else
                {
                    // Not a list of objects: keep the value as Graph sent it rather than lose items.
                    return null;
                }
            }

            return list;
        }

        private static GraphList<string>? ReadStringList(object raw)
        {
            if (raw is string single)
            {
                return new GraphList<string> { single };
            }

            if (!(raw is IList items))
            {
                return null;
            }

            var list = new GraphList<string>();
            foreach (var item in items)
            {
                if (item is IDictionary || item is IList)
                {
                    return null;
                }

                list.Add(item == null ? null! : Convert.ToString(item, CultureInfo.InvariantCulture)!);
            }

            return list;
        }
    }
}
