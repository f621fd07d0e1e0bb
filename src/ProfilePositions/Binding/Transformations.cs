using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Binding
{
    /// <summary>
    /// Knows whether PowerShell is binding a piped object right now. The hidden pipeline parameter binds first (by value,
    /// before any column binds by name) and notes the object here; the cmdlet forgets it when its ProcessRecord starts.
    /// Thread-static because binding and ProcessRecord run on the pipeline thread, one item at a time.
    /// </summary>
    internal static class PipelineBinding
    {
        [ThreadStatic]
        private static object? t_current;

        /// <summary>True while a piped object's columns are being bound (not the command line).</summary>
        public static bool IsBindingRow => t_current != null;

        public static void Begin(object row) => t_current = row;

        public static void End() => t_current = null;
    }

    /// <summary>On the hidden pipeline parameter: notes that a piped object is being bound, and passes it on unchanged.</summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class PipelineInputTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            if (inputData != null)
            {
                PipelineBinding.Begin(inputData);
            }

            return inputData;
        }
    }

    /// <summary>
    /// A switch (-IsCurrent, -IsSearchable) given a value. From the command line: $true/$false, 1/0 or the text
    /// True/False, Yes/No, 1/0; anything else is refused. From a piped row the cmdlet reads the cell itself and refuses
    /// a bad one with the row's number, so here a cell that is no boolean must not stop PowerShell from handing over the row.
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
            var value = Unwrap(inputData);
            switch (value)
            {
                case SwitchParameter _:
                    return value;
                case bool flag:
                    return new SwitchParameter(flag);
            }

            if (PositionValues.TryReadBoolean(value, out var parsed))
            {
                return new SwitchParameter(parsed);
            }

            if (PipelineBinding.IsBindingRow)
            {
                return new SwitchParameter(false);
            }

            throw new ArgumentTransformationMetadataException("'" + value + "' is not a boolean value for -" + _parameterName + ". Use $true or $false (or the text True/False, Yes/No, 1/0).");
        }

        internal static object? Unwrap(object? value) => value is PSObject psObject ? psObject.BaseObject : value;
    }

    /// <summary>An int parameter (-Layer): a whole number or its text. A piped cell that is none is refused by the cmdlet with the row's number.</summary>
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
            var value = BooleanTextTransformationAttribute.Unwrap(inputData);
            if (value is int number)
            {
                return number;
            }

            if (value is string text && int.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }

            if (value is IConvertible convertible && !(value is string) && !(value is bool))
            {
                try
                {
                    var whole = convertible.ToDouble(CultureInfo.InvariantCulture);
                    if (Math.Floor(whole) == whole && whole >= int.MinValue && whole <= int.MaxValue)
                    {
                        return (int)whole;
                    }
                }
                catch (Exception exception) when (exception is FormatException || exception is InvalidCastException || exception is OverflowException)
                {
                }
            }

            if (PipelineBinding.IsBindingRow)
            {
                return 0;
            }

            // PowerShell would round "1.7" to 2; a whole number or nothing is what the member takes.
            throw new ArgumentTransformationMetadataException("'" + value + "' is not a whole number for -" + _parameterName + ".");
        }
    }

    /// <summary>
    /// A collection parameter (-Categories, -Colleagues, -Sources) given as one JSON array text (how the module's objects
    /// print a collection, so a CSV cell reads back): the text is read as its items.
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
            var value = BooleanTextTransformationAttribute.Unwrap(inputData);
            if (value is IList list && list.Count == 1)
            {
                value = BooleanTextTransformationAttribute.Unwrap(list[0]);
            }

            if (value is string text && text.TrimStart().StartsWith("[", StringComparison.Ordinal))
            {
                try
                {
                    return PositionValues.ReadJsonArray(_parameterName, text);
                }
                catch (PositionInputException exception) when (!PipelineBinding.IsBindingRow)
                {
                    throw new ArgumentTransformationMetadataException(exception.Message, exception);
                }
                catch (PositionInputException)
                {
                    // The cmdlet reads the cell itself and reports it with the row's number.
                    return inputData;
                }
            }

            return inputData;
        }
    }

    /// <summary>
    /// -BodyParameter: dictionaries and JSON text are bodies; a PSCustomObject is one only when every member is a
    /// workPosition member or an @odata.* annotation (otherwise it is a row: its columns bind to the other parameters);
    /// a WorkPosition, live or deserialised, is the module's own output and is its own body.
    /// </summary>
    [AttributeUsage(AttributeTargets.Property)]
    public sealed class BodyParameterTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
        {
            var wrapped = inputData as PSObject;
            switch (wrapped != null ? wrapped.BaseObject : inputData)
            {
                case WorkPosition position:
                    return position;
                case IDictionary _:
                case string _:
                    return new BodyInput(inputData, PlainValue.From(inputData));
                case PSCustomObject _ when wrapped != null && InputShapes.IsModuleOutput(wrapped):
                    return new BodyInput(inputData, PlainValue.From(inputData));
                case PSCustomObject _ when wrapped != null:
                    var names = InputShapes.MemberNames(wrapped)!;
                    if (InputShapes.IsBodyShaped(names))
                    {
                        return new BodyInput(inputData, PlainValue.From(inputData));
                    }

                    // A row: refusing it here makes PowerShell bind its columns by name instead (and, given on the
                    // command line, explains what to do). Only a refusal that wraps an invalid cast is passed over
                    // quietly while a piped object is bound; any other would fail the row in PowerShell's own words.
                    var others = string.Join(", ", Array.FindAll(ToArray(names), name => !InputShapes.IsBodyMember(name)));
                    var message = "This object is not a workPosition body: its members " + others + " are not workPosition members. " +
                        "Pipe it to the cmdlet so that its columns bind to the parameters of the same name, or give a hashtable to send members as given.";
                    throw new ArgumentTransformationMetadataException(message, new PSInvalidCastException(message));
                default:
                    return inputData;
            }
        }

        private static string[] ToArray(System.Collections.Generic.IReadOnlyList<string> names)
        {
            var result = new string[names.Count];
            for (var i = 0; i < names.Count; i++)
            {
                result[i] = names[i];
            }

            return result;
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
