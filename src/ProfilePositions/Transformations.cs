using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// What the transformations saw while one item was bound: which parameters arrived with a value and which as an
    /// empty CSV cell. PowerShell binds "" to a switch or an int as false or 0, and between pipeline items it resets a
    /// property to its default by calling the setter, so only a transformation can tell "False" or 0 given for this
    /// item from a reset. Thread-static because binding and ProcessRecord of one command run on the same pipeline
    /// thread, one item at a time; each command takes the marks at the start of its ProcessRecord.
    /// </summary>
    internal static class EmptyCells
    {
        [ThreadStatic]
        private static Dictionary<string, bool>? _marks;

        [ThreadStatic]
        private static Dictionary<string, string>? _problems;

        /// <summary>Notes an empty cell: the parameter is not given for this item.</summary>
        public static void Mark(string parameterName) => Marks()[parameterName] = false;

        /// <summary>Notes a value for this item.</summary>
        public static void Unmark(string parameterName) => Marks()[parameterName] = true;

        /// <summary>
        /// Notes a value that cannot be used. A failed binding by property name is silently skipped by PowerShell, so
        /// the transformation reports it here instead of throwing, and the cmdlet fails that item with this message.
        /// </summary>
        public static object? Refuse(string parameterName, string message, object? placeholder)
        {
            (_problems ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase))[parameterName] = message;
            Marks()[parameterName] = false;
            return placeholder;
        }

        /// <summary>Returns what was noted while the current item was bound (true: a value; false: empty), and forgets it.</summary>
        public static IReadOnlyDictionary<string, bool> Take() => Take(out _);

        /// <summary>Also returns the values refused for this item (parameter name to message).</summary>
        public static IReadOnlyDictionary<string, bool> Take(out IReadOnlyDictionary<string, string> problems)
        {
            var marks = _marks ?? new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);
            problems = _problems ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            _marks = null;
            _problems = null;
            return marks;
        }

        private static Dictionary<string, bool> Marks() => _marks ??= new Dictionary<string, bool>(StringComparer.OrdinalIgnoreCase);

        public static bool IsEmptyText(object? value) => value is string text && text.Trim().Length == 0;

        public static object? Unwrap(object? value) => value is PSObject psObject ? psObject.BaseObject : value;
    }

    /// <summary>
    /// -IsCurrent/-IsSearchable from CSV text: "True"/"False" (any case), "1"/"0", or "" (not given).
    /// Without this, PowerShell would treat the non-empty string "False" as a present switch.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class BooleanTextTransformationAttribute : ArgumentTransformationAttribute
    {
        private readonly string _parameterName;

        public BooleanTextTransformationAttribute(string parameterName)
        {
            _parameterName = parameterName;
        }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = EmptyCells.Unwrap(inputData);
            if (value == null || EmptyCells.IsEmptyText(value))
            {
                EmptyCells.Mark(_parameterName);
                return new SwitchParameter(false);
            }

            EmptyCells.Unmark(_parameterName);
            switch (value)
            {
                case SwitchParameter _:
                case bool _:
                    return value;
                case string text:
                    switch (text.Trim().ToLowerInvariant())
                    {
                        case "true":
                        case "1":
                            return new SwitchParameter(true);
                        case "false":
                        case "0":
                            return new SwitchParameter(false);
                    }

                    return EmptyCells.Refuse(_parameterName, "'" + text + "' is not a boolean value for -" + _parameterName + ". Use True or False.", new SwitchParameter(false))!;
                default:
                    return value;
            }
        }
    }

    /// <summary>An int parameter from CSV text: "" means not given rather than 0.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class IntegerTextTransformationAttribute : ArgumentTransformationAttribute
    {
        private readonly string _parameterName;

        public IntegerTextTransformationAttribute(string parameterName)
        {
            _parameterName = parameterName;
        }

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = EmptyCells.Unwrap(inputData);
            if (EmptyCells.IsEmptyText(value))
            {
                EmptyCells.Mark(_parameterName);
                return 0;
            }

            if (value is string text)
            {
                // PowerShell would round "1.7" to 2; a whole number or nothing is what the member takes.
                if (!int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    return EmptyCells.Refuse(_parameterName, "'" + text + "' is not a whole number for -" + _parameterName + ".", 0)!;
                }

                EmptyCells.Unmark(_parameterName);
                return number;
            }

            EmptyCells.Unmark(_parameterName);
            return inputData;
        }
    }

    /// <summary>
    /// A collection parameter (-Categories, -Colleagues, -Sources) from a CSV cell: the module's objects print
    /// collections as JSON arrays, so a JSON array string is read back into its items; "" means not given.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class JsonArrayTransformationAttribute : ArgumentTransformationAttribute
    {
        private readonly string _parameterName;

        public JsonArrayTransformationAttribute(string parameterName)
        {
            _parameterName = parameterName;
        }

        public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = EmptyCells.Unwrap(inputData);
            if (value is IList list && list.Count == 1)
            {
                value = EmptyCells.Unwrap(list[0]);
            }

            if (EmptyCells.IsEmptyText(value))
            {
                EmptyCells.Mark(_parameterName);
                return null;
            }

            EmptyCells.Unmark(_parameterName);
            if (value is string text && text.TrimStart().StartsWith("[", StringComparison.Ordinal))
            {
                try
                {
                    return PositionValues.ReadJsonArray(_parameterName, text);
                }
                catch (PositionInputException exception)
                {
                    return EmptyCells.Refuse(_parameterName, exception.Message, null);
                }
            }

            return inputData;
        }
    }

    /// <summary>A complex parameter (-Detail, -Manager, ...) from a CSV cell: "" means not given; JSON text is passed on as is.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class ComplexTextTransformationAttribute : ArgumentTransformationAttribute
    {
        private readonly string _parameterName;

        public ComplexTextTransformationAttribute(string parameterName)
        {
            _parameterName = parameterName;
        }

        public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var value = EmptyCells.Unwrap(inputData);
            if (EmptyCells.IsEmptyText(value))
            {
                EmptyCells.Mark(_parameterName);
                return null;
            }

            EmptyCells.Unmark(_parameterName);
            return inputData;
        }
    }

    /// <summary>
    /// -BodyParameter: dictionaries, JSON text and PSCustomObjects with Graph's property names become a body.
    /// A PSCustomObject that carries the expanded set's own names (a CSV row with UserId, JobTitle...) is left alone,
    /// so it fails this parameter's type and binds to the expanded parameters by property name instead.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class BodyParameterTransformationAttribute : ArgumentTransformationAttribute
    {
        private static readonly HashSet<string> ExpandedOnlyNames = new HashSet<string>(
            new[] { "UserId", "UserPrincipalName", "WorkPositionId", "AdditionalProperties" }.Concat(PositionBody.FlatParameterNames),
            StringComparer.OrdinalIgnoreCase);

        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            switch (inputData is PSObject wrapped ? wrapped.BaseObject : inputData)
            {
                case WorkPosition position:
                    return position;
                case IDictionary _:
                case string _:
                    return new BodyInput(inputData, PlainValue.From(inputData));
                case PSCustomObject _ when inputData is PSObject custom && !HasExpandedOnlyName(custom):
                    return new BodyInput(inputData, PlainValue.From(inputData));
                default:
                    return inputData;
            }
        }

        private static bool HasExpandedOnlyName(PSObject custom)
        {
            foreach (var property in custom.Properties)
            {
                if (ExpandedOnlyNames.Contains(property.Name))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// What -BodyParameter holds when the user gave a dictionary, JSON text or PSCustomObject: the raw input, kept
    /// for the engine to shape and check per item (so a bad item is one error, not a binding failure).
    /// It derives from WorkPosition only so that the parameter can be typed WorkPosition, which keeps CSV rows
    /// from binding to it ahead of the expanded parameters.
    /// </summary>
    internal sealed class BodyInput : WorkPosition
    {
        internal BodyInput(object original, object? raw)
        {
            // The hashtable itself rather than its PSObject wrapper, so $error[0].TargetObject is what the user passed.
            Original = original is PSObject wrapped && !(wrapped.BaseObject is PSCustomObject) ? wrapped.BaseObject : original;
            Raw = raw;
        }

        /// <summary>What the user gave, as the target of an error about this item.</summary>
        internal object Original { get; }

        /// <summary>The same as plain values for the engine.</summary>
        internal object? Raw { get; }

        public override string ToString() => Raw is string text ? text : GraphJsonText.Write(Raw);
    }
}
