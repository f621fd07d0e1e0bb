using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Positions;
using ProfilePositions.Engine.Sync;

namespace ProfilePositions.Commands
{
    /// <summary>Completes a parameter from a fixed list of values, matching the typed prefix case-insensitively.</summary>
    public abstract class FixedValuesCompleter : IArgumentCompleter
    {
        protected abstract IReadOnlyList<string> Values { get; }

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            var prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
            foreach (var value in Values)
            {
                if (value.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                {
                    yield return new CompletionResult(value, value, CompletionResultType.ParameterValue, value);
                }
            }
        }
    }

    /// <summary>The allowedAudiences values Graph accepts on input (unknownFutureValue is not one of them).</summary>
    public sealed class AllowedAudiencesCompleter : FixedValuesCompleter
    {
        protected override IReadOnlyList<string> Values => PositionValues.AllowedAudiences;
    }

    /// <summary>physicalAddressType values.</summary>
    public sealed class AddressTypeCompleter : FixedValuesCompleter
    {
        protected override IReadOnlyList<string> Values => PositionValues.AddressTypes;
    }

    /// <summary>The national clouds Connect-ProfileGraph knows by name.</summary>
    public sealed class EnvironmentCompleter : FixedValuesCompleter
    {
        protected override IReadOnlyList<string> Values => CloudEnvironment.Names;
    }

    /// <summary>The delegated permissions the profile API takes.</summary>
    public sealed class ScopeCompleter : FixedValuesCompleter
    {
        protected override IReadOnlyList<string> Values => ConnectRequest.KnownScopes;
    }

    /// <summary>Members -Property can select.</summary>
    public sealed class PropertyCompleter : FixedValuesCompleter
    {
        protected override IReadOnlyList<string> Values => PositionValues.SelectableProperties;
    }

    /// <summary>Member paths -Sort can order by.</summary>
    public sealed class SortCompleter : FixedValuesCompleter
    {
        protected override IReadOnlyList<string> Values => PositionValues.SortableProperties;
    }

    /// <summary>Values for -Key: the flat parameters that name one member.</summary>
    public sealed class SyncKeyCompleter : FixedValuesCompleter
    {
        protected override IReadOnlyList<string> Values => SyncKey.CompletionNames;
    }
}
