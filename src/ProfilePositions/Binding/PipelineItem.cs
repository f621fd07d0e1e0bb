using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;

namespace ProfilePositions.Binding
{
    /// <summary>What a piped object is to a position cmdlet (docs/ARCHITECTURE.md, "Pipeline input").</summary>
    internal enum PipelineItemKind
    {
        /// <summary>Columns (properties or dictionary keys) that bind to parameters by name: a CSV row, an HR export, a user object.</summary>
        Row,

        /// <summary>The whole workPosition as JSON members: a body-shaped dictionary or PSCustomObject, or JSON text.</summary>
        Body,

        /// <summary>A WorkPosition the module wrote: only its UserId and Id bind, unless it is itself the body.</summary>
        ModuleOutput,
    }

    /// <summary>
    /// One piped object as the cmdlet reads it itself, rather than through the values PowerShell bound: PowerShell keeps
    /// an earlier item's parameters in BoundParameters, silently skips a column it cannot convert, and cannot tell an
    /// empty cell from a value. Every piped object becomes one numbered item that reaches the cmdlet and gets exactly
    /// one outcome.
    /// </summary>
    internal sealed class PipelineItem
    {
        private readonly Dictionary<string, object?> _values = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _columns = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _ignored = new List<string>();
        private readonly List<string> _ignoredWithValues = new List<string>();
        private bool _isText;

        private PipelineItem(PSObject input, int number, PipelineItemKind kind)
        {
            Input = input;
            Number = number;
            Kind = kind;
        }

        /// <summary>1-based position in the pipeline.</summary>
        public int Number { get; }

        public PSObject Input { get; }

        public PipelineItemKind Kind { get; }

        /// <summary>The piped object itself, as an error's target: the CSV row, the hashtable, the Get output.</summary>
        public object Target => Input.BaseObject is PSCustomObject ? (object)Input : Input.BaseObject;

        /// <summary>For Body items: the body as the engine takes it (a WorkPosition, JSON text, or plain dictionaries).</summary>
        public object? Body { get; private set; }

        /// <summary>True for PSCustomObjects and dictionaries, whose every member is a column; other objects just have properties.</summary>
        public bool IsTable { get; private set; }

        /// <summary>Columns that bind to no parameter (names as the row spells them).</summary>
        public IReadOnlyList<string> IgnoredColumns => _ignored;

        /// <summary>The ignored columns that hold a value in this row.</summary>
        public IReadOnlyList<string> IgnoredColumnsWithValues => _ignoredWithValues;

        /// <summary>
        /// The separator a file seems to use when a CSV read with the wrong delimiter arrives as one column whose name
        /// holds the real ones ("UserId;JobTitle"); null otherwise.
        /// </summary>
        public string? DelimiterHint { get; private set; }

        /// <summary>A reason this row cannot be used at all (two columns for one parameter), or null.</summary>
        public string? Problem { get; private set; }

        /// <summary>The parameters this item gives a value for (empty cells and nulls are not given).</summary>
        public IEnumerable<string> GivenParameters => _values.Keys;

        /// <summary>A value the item gives for a parameter (by its name, not an alias), as plain values.</summary>
        public bool TryGetValue(string parameterName, out object? value) => _values.TryGetValue(parameterName, out value);

        /// <summary>True when the item has a column for the parameter, even an empty one.</summary>
        public bool HasColumn(string parameterName) => _columns.ContainsKey(parameterName);

        /// <summary>The text of a value the item gives, or null.</summary>
        public string? Text(string parameterName) =>
            _values.TryGetValue(parameterName, out var value) && value != null ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;

        /// <summary>How the cmdlet reads this item, for a verbose line ("a row; its columns bind -UserId, -JobTitle").</summary>
        public string Describe()
        {
            switch (Kind)
            {
                case PipelineItemKind.Body:
                    return "a body: the whole position, as JSON members";
                case PipelineItemKind.ModuleOutput:
                    return Body != null ? "a position from this module, written as it is" : "a position from this module; only its UserId and Id are used";
                case PipelineItemKind.Row when _isText:
                    return "text, read as the user id";
                default:
                    var bound = _columns.Count == 0 ? "no column binds" : "its columns bind " + string.Join(", ", _columns.Keys.Select(name => "-" + name));
                    return "a row; " + bound + (_ignored.Count == 0 ? string.Empty : "; ignored: " + string.Join(", ", _ignored));
            }
        }

        /// <summary>
        /// Reads one piped object. bodySet: a body-shaped object (or the module's own output) is the whole body. textIsUser:
        /// a string is a user id ('a@x','b@x' | Get-ProfilePosition), which a [string] pipeline parameter could not tell
        /// from any other object PowerShell would convert to one.
        /// </summary>
        public static PipelineItem Read(PSObject input, int number, RowParameters parameters, bool bodySet, bool textIsUser = false)
        {
            if (textIsUser && input.BaseObject is string text)
            {
                var user = new PipelineItem(input, number, PipelineItemKind.Row) { _isText = true };
                var parameter = parameters.Find("UserId");
                if (parameter != null)
                {
                    user.Add(parameter, parameter.Name, text);
                }

                return user;
            }

            if (InputShapes.IsModuleOutput(input))
            {
                var output = new PipelineItem(input, number, PipelineItemKind.ModuleOutput);
                output.ReadModuleOutput(parameters);
                if (bodySet)
                {
                    output.Body = input.BaseObject is WorkPosition position ? position : PlainValue.From(input);
                }

                return output;
            }

            var members = InputShapes.Members(input);
            if (bodySet && (input.BaseObject is string || (members != null && InputShapes.IsBodyShaped(members.Select(member => member.Key)))))
            {
                return new PipelineItem(input, number, PipelineItemKind.Body) { Body = PlainValue.From(input), IsTable = members != null };
            }

            var row = new PipelineItem(input, number, PipelineItemKind.Row) { IsTable = members != null };
            if (members != null)
            {
                row.ReadColumns(parameters, members);
            }
            else
            {
                row.ReadProperties(parameters);
            }

            return row;
        }

        private void ReadModuleOutput(RowParameters parameters)
        {
            foreach (var name in new[] { "UserId", "WorkPositionId" })
            {
                var parameter = parameters.Parameters.FirstOrDefault(candidate => string.Equals(candidate.Name, name, StringComparison.OrdinalIgnoreCase));
                if (parameter == null)
                {
                    continue;
                }

                foreach (var column in parameter.Names)
                {
                    var property = Input.Properties[column];
                    if (property != null)
                    {
                        Add(parameter, property.Name, property.Value);
                        break;
                    }
                }
            }
        }

        private void ReadColumns(RowParameters parameters, IReadOnlyList<KeyValuePair<string, object?>> members)
        {
            var count = 0;
            foreach (var member in members)
            {
                var column = member.Key;
                var value = member.Value;
                count++;
                // A header with a stray space ("UserPrincipalName ") still names its column.
                var parameter = parameters.Find(column.Trim());
                if (parameter != null)
                {
                    Add(parameter, column, value);
                }
                else if (!InputShapes.IsOutputOnly(column.Trim()))
                {
                    _ignored.Add(column);
                    var plain = PlainValue.From(value);
                    if (plain != null && !(plain is string text && text.Trim().Length == 0))
                    {
                        _ignoredWithValues.Add(column);
                    }
                }
            }

            if (count == 1 && _ignored.Count == 1)
            {
                foreach (var separator in new[] { ";", "\t", "|" })
                {
                    if (_ignored[0].IndexOf(separator, StringComparison.Ordinal) >= 0)
                    {
                        // As the user types it for Import-Csv -Delimiter.
                        DelimiterHint = separator == "\t" ? "`t" : separator;
                        break;
                    }
                }
            }
        }

        private void ReadProperties(RowParameters parameters)
        {
            // Any other object (a user from Get-MgUser, an AD user): its properties bind by name, as PowerShell binds them;
            // the rest are simply properties of that object, not ignored columns.
            foreach (var parameter in parameters.Parameters)
            {
                foreach (var name in parameter.Names)
                {
                    PSPropertyInfo? property;
                    object? value;
                    try
                    {
                        property = Input.Properties[name];
                        value = property?.Value;
                    }
                    catch (GetValueException)
                    {
                        continue;
                    }

                    if (property != null)
                    {
                        Add(parameter, property.Name, value);
                    }
                }
            }
        }

        private void Add(RowParameter parameter, string column, object? raw)
        {
            var value = PlainValue.From(raw);
            var empty = value == null || (value is string text && text.Trim().Length == 0);
            if (_columns.TryGetValue(parameter.Name, out var earlierColumn))
            {
                if (!empty && _values.TryGetValue(parameter.Name, out var earlier) && !SameText(earlier, value))
                {
                    Problem ??= "The columns '" + earlierColumn + "' and '" + column + "' both give -" + parameter.Name + " ('" + earlier + "' and '" + value + "'); keep one of them.";
                }

                if (empty || _values.ContainsKey(parameter.Name))
                {
                    return;
                }
            }

            _columns[parameter.Name] = column;
            if (!empty)
            {
                _values[parameter.Name] = value;
            }
        }

        private static bool SameText(object? left, object? right) =>
            string.Equals(Convert.ToString(left, CultureInfo.InvariantCulture), Convert.ToString(right, CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }
}
