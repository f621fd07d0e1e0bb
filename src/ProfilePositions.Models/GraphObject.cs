using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;

namespace ProfilePositions
{
    /// <summary>
    /// Base of every Graph object the module hands to users. The JSON members live in one ordered,
    /// case-sensitive bag keyed by Graph's camelCase names, so an unknown member survives a round trip
    /// and an explicit <c>null</c> (clear this field) is different from a member that is absent.
    /// Typed properties are views over the bag.
    /// </summary>
    public abstract class GraphObject
    {
        private readonly Dictionary<string, object?> _members;
        private readonly List<string> _order;

        /// <summary>Sized for the members the type declares, which Graph sends in full: no growing while a response is read.</summary>
        protected GraphObject()
        {
            var known = KnownMembers.Count;
            _members = new Dictionary<string, object?>(known, StringComparer.Ordinal);
            _order = new List<string>(known);
        }

        /// <summary>Every JSON member of this object in the order it was read or set, known and unknown.</summary>
        public IEnumerable<KeyValuePair<string, object?>> GetMembers()
        {
            foreach (var name in _order)
            {
                yield return new KeyValuePair<string, object?>(name, _members[name]);
            }
        }

        /// <summary>True when the member is present, even when its value is null.</summary>
        public bool HasMember(string name) => _members.ContainsKey(name);

        /// <summary>Reads a member's raw value (a string, bool, number, GraphObject, list or dictionary).</summary>
        public object? GetMember(string name) => _members.TryGetValue(name, out var value) ? value : null;

        /// <summary>Sets a member; null is kept and sent as JSON null.</summary>
        public void SetMember(string name, object? value)
        {
            if (!_members.ContainsKey(name))
            {
                _order.Add(name);
            }

            _members[name] = value;
        }

        /// <summary>Removes a member so it is not sent at all.</summary>
        public bool RemoveMember(string name)
        {
            _order.Remove(name);
            return _members.Remove(name);
        }

        /// <summary>The names of the members this type declares as properties.</summary>
        protected internal abstract IReadOnlyCollection<string> KnownMembers { get; }

        /// <summary>
        /// Members Graph sent or the user set that this module has no property for (the beta API grows); null when there
        /// are none, so ConvertTo-Json never writes an empty helper ("{}" below -Depth). PowerShell sees a dictionary
        /// even then (ProfilePositions.types.ps1xml), as Microsoft Graph PowerShell's models give one.
        /// </summary>
        public GraphDictionary? AdditionalProperties
        {
            get
            {
                var extra = GetAdditionalProperties();
                return extra.Count == 0 ? null : extra;
            }
        }

        /// <summary>The members this module has no property for, in a dictionary that is empty when there are none.</summary>
        public GraphDictionary GetAdditionalProperties()
        {
            var extra = new GraphDictionary();
            foreach (var pair in GetMembers())
            {
                if (!IsKnown(pair.Key))
                {
                    extra[pair.Key] = pair.Value;
                }
            }

            return extra;
        }

        private bool IsKnown(string name)
        {
            foreach (var known in KnownMembers)
            {
                if (string.Equals(known, name, StringComparison.Ordinal))
                {
                    return true;
                }
            }

            return false;
        }

        protected string? GetString(string name)
        {
            var value = GetMember(name);
            return value == null ? null : Convert.ToString(value, CultureInfo.InvariantCulture);
        }

        protected bool? GetBoolean(string name)
        {
            switch (GetMember(name))
            {
                case bool b: return b;
                case string s when bool.TryParse(s, out var parsed): return parsed;
                default: return null;
            }
        }

        protected double? GetDouble(string name)
        {
            var value = GetMember(name);
            if (value is IConvertible convertible && !(value is string) && !(value is bool))
            {
                return convertible.ToDouble(CultureInfo.InvariantCulture);
            }

            return value is string s && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : (double?)null;
        }

        protected int? GetInt32(string name)
        {
            var value = GetDouble(name);
            return value.HasValue ? (int?)Convert.ToInt32(value.Value, CultureInfo.InvariantCulture) : null;
        }

        protected DateTimeOffset? GetDateTimeOffset(string name)
        {
            switch (GetMember(name))
            {
                case DateTimeOffset dto: return dto;
                case DateTime dt: return new DateTimeOffset(dt);
                case string s when DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed): return parsed;
                default: return null;
            }
        }

        protected T? GetObject<T>(string name) where T : GraphObject => GetMember(name) as T;

        protected GraphList<T>? GetList<T>(string name) => GetMember(name) as GraphList<T>;

        /// <summary>Compact JSON without null members, so a complex value written to CSV reads back through the cmdlets' parameters.</summary>
        public override string ToString() => GraphJsonText.Write(this, omitNulls: true);
    }

    /// <summary>Members without a property of their own; its text form is JSON so it survives Export-Csv.</summary>
    public sealed class GraphDictionary : Dictionary<string, object?>
    {
        public GraphDictionary() : base(StringComparer.Ordinal)
        {
        }

        public override string ToString() => GraphJsonText.Write(this, omitNulls: true);
    }

    /// <summary>A JSON array of a Graph object; its text form is JSON so it survives Export-Csv.</summary>
    public sealed class GraphList<T> : List<T>
    {
        public GraphList()
        {
        }

        public GraphList(IEnumerable<T> items) : base(items)
        {
        }

        public override string ToString() => GraphJsonText.Write(this, omitNulls: true);
    }
}
