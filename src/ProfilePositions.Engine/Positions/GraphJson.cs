using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Serialization.Json;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// The wire format, through Kiota's JSON writer and parse node. The models keep their members in a bag, so
    /// values go through Kiota's untyped nodes: every member in the bag is written (explicit null as JSON null,
    /// unknown members as given) and every member read is kept.
    /// </summary>
    internal static class GraphJson
    {
        /// <summary>Relaxed escaping so -WhatIf shows O'Neil and é as they are, not \u0027 and \u00E9.</summary>
        public static readonly KiotaJsonSerializationContext Context = new KiotaJsonSerializationContext(new JsonSerializerOptions
        {
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        });

        public static readonly JsonSerializationWriterFactory WriterFactory = new JsonSerializationWriterFactory(Context);

        public static readonly JsonParseNodeFactory ParseNodeFactory = new JsonParseNodeFactory(Context);

        /// <summary>Compact JSON of a model, dictionary, list or primitive, written by Kiota.</summary>
        public static string Write(object? value)
        {
            using var writer = WriterFactory.GetSerializationWriter("application/json");
            writer.WriteObjectValue<UntypedNode>(null, ToUntyped(value));
            using var content = writer.GetSerializedContent();
            using var reader = new StreamReader(content, Encoding.UTF8);
            return reader.ReadToEnd();
        }

        public static UntypedNode ToUntyped(object? value)
        {
            switch (value)
            {
                case null:
                    return new UntypedNull();
                case UntypedNode node:
                    return node;
                case string s:
                    return new UntypedString(s);
                case bool b:
                    return new UntypedBoolean(b);
                case int i:
                    return new UntypedInteger(i);
                case short sh:
                    return new UntypedInteger(sh);
                case byte by:
                    return new UntypedInteger(by);
                case sbyte sb:
                    return new UntypedInteger(sb);
                case ushort us:
                    return new UntypedInteger(us);
                case long l:
                    return new UntypedLong(l);
                case uint ui:
                    return new UntypedLong(ui);
                case ulong ul:
                    return new UntypedDecimal(ul);
                case decimal m:
                    return new UntypedDecimal(m);
                case double d:
                    // JSON has no NaN or Infinity; a value that cannot be written must not crash the command.
                    return IsFinite(d) ? new UntypedDouble(d) : (UntypedNode)new UntypedNull();
                case float f:
                    return IsFinite(f) ? new UntypedDouble(f) : (UntypedNode)new UntypedNull();
                case DateTimeOffset dto:
                    return new UntypedString(dto.ToString("o", CultureInfo.InvariantCulture));
                case DateTime dt:
                    return new UntypedString(dt.ToString("o", CultureInfo.InvariantCulture));
                case Guid g:
                    return new UntypedString(g.ToString());
                case char c:
                    return new UntypedString(c.ToString());
                case Enum e:
                    return new UntypedString(e.ToString());
                case GraphObject graphObject:
                    return ToUntypedObject(graphObject.GetMembers());
                case IDictionary dictionary:
                    return ToUntypedObject(Entries(dictionary));
                case IEnumerable sequence:
                    var items = new List<UntypedNode>();
                    foreach (var item in sequence)
                    {
                        items.Add(ToUntyped(item));
                    }

                    return new UntypedArray(items);
                default:
                    return new UntypedString(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty);
            }
        }

        private static bool IsFinite(double d) => !double.IsNaN(d) && !double.IsInfinity(d);

        private static UntypedObject ToUntypedObject(IEnumerable<KeyValuePair<string, object?>> members)
        {
            var map = new Dictionary<string, UntypedNode>(StringComparer.Ordinal);
            foreach (var member in members)
            {
                map[member.Key] = ToUntyped(member.Value);
            }

            return new UntypedObject(map);
        }

        internal static IEnumerable<KeyValuePair<string, object?>> Entries(IDictionary dictionary)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                yield return new KeyValuePair<string, object?>(Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty, entry.Value);
            }
        }

        /// <summary>
        /// Reads JSON text into plain values: dictionaries (members in order), lists, strings, booleans, numbers, null.
        /// Numbers take the types Kiota's parse node gives untyped values (int, else long, else decimal, else float, else double).
        /// Read straight from System.Text.Json's document: going through Kiota's untyped nodes first built every answer's
        /// tree twice, which in a bulk run cost more than the rest of reading it. Throws JsonException on malformed text.
        /// </summary>
        public static object? Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            return ToNeutral(document.RootElement);
        }

        internal static object? ToNeutral(JsonElement element)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var property in element.EnumerateObject())
                    {
                        map[property.Name] = ToNeutral(property.Value);
                    }

                    return map;
                case JsonValueKind.Array:
                    var list = new List<object?>(element.GetArrayLength());
                    foreach (var item in element.EnumerateArray())
                    {
                        list.Add(ToNeutral(item));
                    }

                    return list;
                case JsonValueKind.String:
                    return element.GetString();
                case JsonValueKind.True:
                    return true;
                case JsonValueKind.False:
                    return false;
                case JsonValueKind.Number:
                    if (element.TryGetInt32(out var integer))
                    {
                        return integer;
                    }

                    if (element.TryGetInt64(out var longValue))
                    {
                        return longValue;
                    }

                    if (element.TryGetDecimal(out var decimalValue))
                    {
                        return decimalValue;
                    }

                    if (element.TryGetSingle(out var single))
                    {
                        return (double)single;
                    }

                    return element.GetDouble();
                default:
                    return null;
            }
        }

        /// <summary>Case-insensitive member lookup (Graph error bodies vary: innerError / innererror).</summary>
        public static object? Lookup(IDictionary<string, object?>? map, string name)
        {
            if (map == null)
            {
                return null;
            }

            if (map.TryGetValue(name, out var exact))
            {
                return exact;
            }

            foreach (var pair in map)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return pair.Value;
                }
            }

            return null;
        }
    }
}
