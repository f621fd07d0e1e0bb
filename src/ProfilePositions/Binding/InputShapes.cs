using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;

namespace ProfilePositions.Binding
{
    /// <summary>
    /// Tells the kinds of pipeline input apart (docs/ARCHITECTURE.md, "Pipeline input"): the module's own output, a
    /// body (the whole workPosition as JSON members) and a row (columns that bind to parameters by name).
    /// </summary>
    internal static class InputShapes
    {
        private const string DeserializedWorkPosition = "Deserialized.ProfilePositions.WorkPosition";

        private static readonly HashSet<string> WorkPositionMembers = new HashSet<string>(WorkPosition.MemberNames, StringComparer.OrdinalIgnoreCase);

        // Members of the module's output (and of PowerShell's remoting and job output) that a row carries but that are
        // never written: Graph sets them, or they describe where an object came from. A row ignores them without a warning.
        private static readonly HashSet<string> OutputOnlyNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "id", "createdBy", "createdDateTime", "lastModifiedBy", "lastModifiedDateTime",
            "PSComputerName", "PSShowComputerName", "RunspaceId", "PSSourceJobInstanceId",
        };

        /// <summary>A WorkPosition the module wrote, live or deserialised (Start-Job, Import-Clixml).</summary>
        public static bool IsModuleOutput(PSObject? input) =>
            input != null && ((input.BaseObject is WorkPosition && !(input.BaseObject is BodyInput)) || input.TypeNames.Contains(DeserializedWorkPosition));

        public static bool IsDeserializedModuleOutput(PSObject input) => !(input.BaseObject is WorkPosition) && input.TypeNames.Contains(DeserializedWorkPosition);

        /// <summary>
        /// A PSCustomObject or dictionary is a body only when every member is a workPosition member or an @odata.*
        /// annotation; anything else (a CSV row, an HR export, a user object, a JSON backup that carries UserId) is a row.
        /// </summary>
        public static bool IsBodyShaped(IEnumerable<string> names) => names.All(IsBodyMember);

        public static bool IsBodyMember(string name) =>
            WorkPositionMembers.Contains(name) || name.StartsWith("@odata.", StringComparison.OrdinalIgnoreCase);

        /// <summary>A column a row may carry without binding, and without a warning.</summary>
        public static bool IsOutputOnly(string name) =>
            OutputOnlyNames.Contains(name) || name.StartsWith("@odata.", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// The members of a PSCustomObject (its properties) or a dictionary (its entries), in order; null for other
        /// objects. Read once per item: enumerating a PSObject's properties walks its adapters every time.
        /// </summary>
        public static IReadOnlyList<KeyValuePair<string, object?>>? Members(PSObject input)
        {
            switch (input.BaseObject)
            {
                case PSCustomObject _:
                    var properties = new List<KeyValuePair<string, object?>>();
                    foreach (var property in input.Properties)
                    {
                        properties.Add(new KeyValuePair<string, object?>(property.Name, property.Value));
                    }

                    return properties;
                case IDictionary dictionary:
                    var entries = new List<KeyValuePair<string, object?>>(dictionary.Count);
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        entries.Add(new KeyValuePair<string, object?>(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, entry.Value));
                    }

                    return entries;
                default:
                    return null;
            }
        }

        /// <summary>The member names of a PSCustomObject or the keys of a dictionary; null for other objects.</summary>
        public static IReadOnlyList<string>? MemberNames(PSObject input)
        {
            switch (input.BaseObject)
            {
                case PSCustomObject _:
                    return input.Properties.Select(property => property.Name).ToArray();
                case IDictionary dictionary:
                    return dictionary.Keys.Cast<object>().Select(key => Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty).ToArray();
                default:
                    return null;
            }
        }
    }
}
