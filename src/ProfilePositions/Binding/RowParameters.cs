using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Reflection;

namespace ProfilePositions.Binding
{
    /// <summary>One parameter a row's column binds to: its name and aliases, as PowerShell's binder matches them.</summary>
    internal sealed class RowParameter
    {
        public RowParameter(string name, IReadOnlyList<string> aliases)
        {
            Name = name;
            Aliases = aliases;
        }

        public string Name { get; }

        public IReadOnlyList<string> Aliases { get; }

        /// <summary>The parameter name first, then its aliases.</summary>
        public IEnumerable<string> Names => new[] { Name }.Concat(Aliases);
    }

    /// <summary>
    /// The parameters of a cmdlet that bind by property name, read from its own attributes, so the help, Get-Command
    /// and the rows the cmdlet reads itself always agree.
    /// </summary>
    internal sealed class RowParameters
    {
        private static readonly ConcurrentDictionary<Type, RowParameters> Cache = new ConcurrentDictionary<Type, RowParameters>();
        private readonly Dictionary<string, RowParameter> _byName = new Dictionary<string, RowParameter>(StringComparer.OrdinalIgnoreCase);

        private RowParameters(IReadOnlyList<RowParameter> parameters)
        {
            Parameters = parameters;
            foreach (var parameter in parameters)
            {
                foreach (var name in parameter.Names)
                {
                    _byName[name] = parameter;
                }
            }
        }

        public IReadOnlyList<RowParameter> Parameters { get; }

        public static RowParameters For(Type cmdletType) => Cache.GetOrAdd(cmdletType, Read);

        /// <summary>The parameter a column name binds to (by name or alias, ignoring case), or null.</summary>
        public RowParameter? Find(string column) => _byName.TryGetValue(column, out var parameter) ? parameter : null;

        /// <summary>
        /// The parameter a column that binds to nothing was probably meant for ("Cost Center", "cost_center" for
        /// -CostCenter): the same letters and digits, ignoring case; null when there is none.
        /// </summary>
        public RowParameter? Suggest(string column)
        {
            var wanted = Letters(column);
            if (wanted.Length == 0)
            {
                return null;
            }

            foreach (var parameter in Parameters)
            {
                foreach (var name in parameter.Names)
                {
                    if (string.Equals(Letters(name), wanted, StringComparison.OrdinalIgnoreCase))
                    {
                        return parameter;
                    }
                }
            }

            return null;
        }

        private static string Letters(string text)
        {
            var builder = new System.Text.StringBuilder(text.Length);
            foreach (var c in text)
            {
                if (char.IsLetterOrDigit(c))
                {
                    builder.Append(c);
                }
            }

            return builder.ToString();
        }

        private static RowParameters Read(Type cmdletType)
        {
            var parameters = new List<RowParameter>();
            foreach (var property in cmdletType.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var attributes = property.GetCustomAttributes<ParameterAttribute>(true).ToArray();
                if (!attributes.Any(attribute => attribute.ValueFromPipelineByPropertyName))
                {
                    continue;
                }

                var aliases = property.GetCustomAttributes<AliasAttribute>(true).SelectMany(alias => alias.AliasNames).ToArray();
                parameters.Add(new RowParameter(property.Name, aliases));
            }

            return new RowParameters(parameters);
        }
    }
}
