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
        /// Reads JSON text with Kiota's parse node into plain values (see ToNeutral). Throws JsonException on malformed text.
        /// Kiota's untyped arrays are read lazily, so the tree is copied out before the document is released.
        /// </summary>
        public static object? Parse(string json)
        {
            using var document = JsonDocument.Parse(json);
            var node = new JsonParseNode(document.RootElement, Context);
            return ToNeutral(node.GetObjectValue(UntypedNode.CreateFromDiscriminatorValue));
        }

        /// <summary>Plain .NET values: ordered dictionaries, lists, strings, booleans, numbers, null.</summary>
        public static object? ToNeutral(UntypedNode? node)
        {
            switch (node)
            {
                case null:
                case UntypedNull _:
                    return null;
                case UntypedString s:
                    return s.GetValue();
                case UntypedBoolean b:
                    return b.GetValue();
                case UntypedInteger i:
                    return i.GetValue();
                case UntypedLong l:
                    return l.GetValue();
                case UntypedDecimal m:
                    return m.GetValue();
                case UntypedDouble d:
                    return d.GetValue();
                case UntypedFloat f:
                    return (double)f.GetValue();
                case UntypedObject o:
                    var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                    foreach (var pair in o.GetValue())
                    {
                        map[pair.Key] = ToNeutral(pair.Value);
                    }

                    return map;
                case UntypedArray a:
                    var list = new List<object?>();
                    foreach (var item in a.GetValue())
                    {
                        list.Add(ToNeutral(item));
                    }

                    return list;
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
