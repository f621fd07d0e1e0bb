using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace ProfilePositions
{
    /// <summary>
    /// Writes the module's objects as compact JSON for their text form (ToString, CSV cells).
    /// The wire format is the engine's job (Kiota); this assembly has no dependencies on purpose,
    /// so it carries this small writer of its own.
    /// </summary>
    public static class GraphJsonText
    {
        public static string Write(object? value) => Write(value, omitNulls: false);

        /// <param name="value">A Graph object, dictionary, list or primitive.</param>
        /// <param name="omitNulls">
        /// Leaves out members whose value is null (the text form of output objects: Graph returns every member, most of
        /// them null, and a null cell means "not given" when a CSV is read back anyway).
        /// </param>
        public static string Write(object? value, bool omitNulls)
        {
            var builder = new StringBuilder();
            WriteValue(builder, value, omitNulls);
            return builder.ToString();
        }

        private static void WriteValue(StringBuilder builder, object? value, bool omitNulls)
        {
            switch (value)
            {
                case null:
                    builder.Append("null");
                    break;
                case string s:
                    WriteString(builder, s);
                    break;
                case bool b:
                    builder.Append(b ? "true" : "false");
                    break;
                case DateTimeOffset dto:
                    WriteString(builder, dto.ToString("o", CultureInfo.InvariantCulture));
                    break;
                case DateTime dt:
                    WriteString(builder, dt.ToString("o", CultureInfo.InvariantCulture));
                    break;
                case double d:
                    builder.Append(d.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case float f:
                    builder.Append(f.ToString("R", CultureInfo.InvariantCulture));
                    break;
                case decimal m:
                    builder.Append(m.ToString(CultureInfo.InvariantCulture));
                    break;
                case Enum e:
                    WriteString(builder, e.ToString());
                    break;
                case IConvertible number when IsNumber(number):
                    builder.Append(Convert.ToString(number, CultureInfo.InvariantCulture));
                    break;
                case GraphObject graphObject:
                    WriteObject(builder, graphObject.GetMembers(), omitNulls);
                    break;
                case IDictionary dictionary:
                    WriteObject(builder, Entries(dictionary), omitNulls);
                    break;
                case IEnumerable sequence:
                    builder.Append('[');
                    var first = true;
                    foreach (var item in sequence)
                    {
                        if (!first)
                        {
                            builder.Append(',');
                        }

                        first = false;
                        WriteValue(builder, item, omitNulls);
                    }

                    builder.Append(']');
                    break;
                default:
                    WriteString(builder, Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
                    break;
            }
        }

        private static bool IsNumber(IConvertible value)
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
                    return true;
                default:
                    return false;
            }
        }

        internal static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                yield return new KeyValuePair<string, object?>(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty, entry.Value);
            }
        }

        private static void WriteObject(StringBuilder builder, IEnumerable<KeyValuePair<string, object?>> members, bool omitNulls)
        {
            builder.Append('{');
            var first = true;
            foreach (var member in members)
            {
                if (omitNulls && member.Value == null)
                {
                    continue;
                }

                if (!first)
                {
                    builder.Append(',');
                }

                first = false;
                WriteString(builder, member.Key);
                builder.Append(':');
                WriteValue(builder, member.Value, omitNulls);
            }

            builder.Append('}');
        }

        private static void WriteString(StringBuilder builder, string value)
        {
            builder.Append('"');
            foreach (var c in value)
            {
                switch (c)
                {
                    case '"': builder.Append("\\\""); break;
                    case '\\': builder.Append("\\\\"); break;
                    case '\n': builder.Append("\\n"); break;
                    case '\r': builder.Append("\\r"); break;
                    case '\t': builder.Append("\\t"); break;
                    case '\b': builder.Append("\\b"); break;
                    case '\f': builder.Append("\\f"); break;
                    default:
                        if (c < ' ')
                        {
                            builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        }
                        else
                        {
                            builder.Append(c);
                        }

                        break;
                }
            }

            builder.Append('"');
        }
    }
}
