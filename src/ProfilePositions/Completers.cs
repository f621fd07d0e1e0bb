using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

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
        internal static readonly string[] Names = { "me", "family", "contacts", "groupMembers", "organization", "federatedOrganizations", "everyone" };

        protected override IReadOnlyList<string> Values => Names;
    }

    /// <summary>physicalAddressType values.</summary>
    public sealed class AddressTypeCompleter : FixedValuesCompleter
    {
        internal static readonly string[] Names = { "unknown", "home", "business", "other" };

        protected override IReadOnlyList<string> Values => Names;
    }

    /// <summary>The national clouds Connect-ProfileGraph knows by name.</summary>
    public sealed class EnvironmentCompleter : FixedValuesCompleter
    {
        internal static readonly string[] Names = { "Global", "USGov", "USGovDoD", "China" };

        protected override IReadOnlyList<string> Values => Names;
    }
}
