using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq;
using System.Management.Automation;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Commands
{
    /// <summary>What New- and Update-ProfilePosition share: turning the parameters of one item into a checked body.</summary>
    public abstract class PositionWriteCommand : PositionCommand
    {
        private HashSet<string> _commandLineParameters = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private IReadOnlyDictionary<string, bool> _commandLineMarks = new Dictionary<string, bool>();
        private IReadOnlyDictionary<string, bool> _itemMarks = new Dictionary<string, bool>();
        private IReadOnlyDictionary<string, string> _itemProblems = new Dictionary<string, string>();
        private IReadOnlyDictionary<string, string> _commandLineProblems = new Dictionary<string, string>();

        protected override void BeginProcessing()
        {
            // Bound before the first pipeline item arrives, so these are the ones typed on the command line.
            _commandLineParameters = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);
            _commandLineMarks = EmptyCells.Take(out _commandLineProblems);
        }

        protected sealed override void ProcessRecord()
        {
            _itemMarks = EmptyCells.Take(out _itemProblems);
            ProcessItem();
        }

        /// <summary>Handles the pipeline item that was just bound.</summary>
        protected abstract void ProcessItem();

        /// <summary>The body from -BodyParameter: a WorkPosition, or the dictionary/JSON/PSCustomObject the user gave.</summary>
        protected static PositionBody BodyFromInput(WorkPosition bodyParameter) =>
            PositionBody.FromInput(bodyParameter is BodyInput input ? input.Raw : bodyParameter);

        /// <summary>
        /// The body from the expanded set: the parameters given for this item, as plain values. An empty CSV cell and
        /// a property without a value on a piped object are not given; $null typed on the command line is sent as null.
        /// </summary>
        protected PositionBody BodyFromParameters()
        {
            // A value refused while binding fails this item (PowerShell itself would skip it without a word).
            var refused = _commandLineProblems.Concat(_itemProblems).FirstOrDefault();
            if (refused.Key != null)
            {
                throw new PositionInputException(refused.Key, refused.Value);
            }

            return PositionBody.FromParameters(GivenParameters());
        }

        /// <summary>The input item as an error's target: what the user gave for this item.</summary>
        protected object ExpandedTarget()
        {
            var target = new OrderedDictionary(StringComparer.OrdinalIgnoreCase);
            // As given (blank stays blank), so failed rows exported and re-imported fail again instead of going to /me.
            target["UserId"] = UserId;
            foreach (var pair in GivenParameters())
            {
                target[pair.Key] = pair.Value;
            }

            return target;
        }

        /// <summary>Writes the engine's warnings (unknown keys sent as given, read-only keys dropped).</summary>
        protected void WriteBodyWarnings(PositionBody body)
        {
            foreach (var warning in body.Warnings)
            {
                WriteWarning(warning);
            }
        }

        /// <summary>Asks ShouldProcess with the exact request, so -WhatIf shows the method, URL and JSON.</summary>
        protected bool ShouldSend(string action, RequestPreview preview)
        {
            var request = preview.ToString();
            return ShouldProcess(
                action + ": " + request,
                action + "?" + Environment.NewLine + request,
                "Confirm");
        }

        private Dictionary<string, object?> GivenParameters()
        {
            var given = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
            foreach (var name in PositionBody.ParameterNames)
            {
                if (!TryGetItemValue(name, out var raw))
                {
                    continue;
                }

                var value = PlainValue.From(raw);
                var fromPipeline = !_commandLineParameters.Contains(name);
                if ((value == null && fromPipeline) || (value is string text && text.Length == 0))
                {
                    continue;
                }

                given[name] = value;
            }

            return given;
        }

        /// <summary>
        /// The value a parameter has for the current item. BoundParameters keeps a parameter that an earlier pipeline
        /// item bound (PowerShell resets the property, not the dictionary), so a piped value is read from the property,
        /// and a switch or int counts only when a transformation saw it bound for this very item.
        /// </summary>
        private bool TryGetItemValue(string name, out object? value)
        {
            value = null;
            if (!MyInvocation.BoundParameters.TryGetValue(name, out var bound))
            {
                return false;
            }

            if (_commandLineParameters.Contains(name))
            {
                value = bound;
                return !(_commandLineMarks.TryGetValue(name, out var typedValue) && !typedValue);
            }

            var property = GetType().GetProperty(name);
            if (property == null || (_itemMarks.TryGetValue(name, out var hasValue) && !hasValue))
            {
                return false;
            }

            var isValueType = property.PropertyType.IsValueType;
            if (isValueType && !_itemMarks.ContainsKey(name))
            {
                return false;
            }

            value = property.GetValue(this);
            return true;
        }

    }
}
