using System.Collections;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Management.Automation;

namespace ProfilePositions.Binding
{
    /// <summary>
    /// Turns what PowerShell hands a cmdlet into plain .NET values the engine understands: PSObject wrappers
    /// are unwrapped, PSCustomObjects become ordered dictionaries (recursively), sequences become object[].
    /// The engine references no PowerShell assembly, so this has to happen here.
    /// </summary>
    internal static class PlainValue
    {
        public static object? From(object? value)
        {
            switch (value)
            {
                case null:
                    return null;
                case PSObject psObject when psObject.BaseObject is PSCustomObject:
                    return FromCustomObject(psObject);
                case PSObject psObject:
                    return From(psObject.BaseObject);
                case SwitchParameter switchParameter:
                    return switchParameter.IsPresent;
                case string _:
                case GraphObject _:
                    // Graph objects already are the engine's own shape; keep their explicit nulls and unknown members.
                    return value;
                case IDictionary dictionary:
                    return FromDictionary(dictionary);
                case IEnumerable sequence:
                    var items = new List<object?>();
                    foreach (var item in sequence)
                    {
                        items.Add(From(item));
                    }

                    return items.ToArray();
                default:
                    return value;
            }
        }

        private static OrderedDictionary FromCustomObject(PSObject psObject)
        {
            // Case-sensitive on purpose: the engine decides how keys match, and must see every key the user wrote.
            var result = new OrderedDictionary();
            foreach (var property in psObject.Properties)
            {
                result[property.Name] = From(property.Value);
            }

            return result;
        }

        private static OrderedDictionary FromDictionary(IDictionary dictionary)
        {
            var result = new OrderedDictionary();
            foreach (DictionaryEntry entry in dictionary)
            {
                result[entry.Key] = From(entry.Value);
            }

            return result;
        }
    }
}
