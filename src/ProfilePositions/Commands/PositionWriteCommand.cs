using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using ProfilePositions.Binding;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Commands
{
    /// <summary>What New- and Update-ProfilePosition share: turning the command line and one piped item into a checked body.</summary>
    public abstract class PositionWriteCommand : PositionCommand
    {
        private readonly Dictionary<string, object?> _commandLineValues = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        private CultureInfo? _dateCulture;

        /// <summary>
        /// How to read numeric day/month dates such as 4/1/2019 (en-US: April 1; en-GB: 4 January), and that culture's
        /// month names. Without it such dates are refused as ambiguous; ISO dates and English month names always work.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(DateCultureCompleter))]
        public string? DateCulture { get; set; }

        protected override bool WarnsAboutIgnoredColumns => true;

        // Bodies may come from the pipeline unless the command line already says what to write.
        protected override bool PipedBodiesAllowed => !CommandLine.Contains("BodyParameter") && !PositionBody.ParameterNames.Any(CommandLine.Contains);

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (DateCulture != null)
            {
                _dateCulture = KnownCulture(DateCulture);
                if (_dateCulture == null)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid("DateCultureUnknown", "-DateCulture '" + DateCulture + "' is not the name of a culture: " + CultureHint(DateCulture) + " Dates are never read in a culture that was guessed.", DateCulture));
                }
            }

            // Bound before the first pipeline item arrives, so these are the values typed on the command line. An empty
            // string is not given; $null typed on the command line is sent as null (that is how a member is cleared).
            foreach (var name in PositionBody.ParameterNames)
            {
                if (CommandLine.Contains(name) && MyInvocation.BoundParameters.TryGetValue(name, out var raw))
                {
                    var value = PlainValue.From(raw);
                    if (!(value is string text && text.Length == 0))
                    {
                        _commandLineValues[name] = value;
                    }
                }
            }
        }

        /// <summary>
        /// The body for this item: -BodyParameter from the command line, or a piped body as a whole; else the command
        /// line's values and, for a piped row, every column that binds (the command line wins where both give a
        /// parameter). From the module's own output only UserId and Id are read, so Get | Update -JobTitle x sends the job
        /// title alone.
        /// </summary>
        protected PositionBody BodyForItem(WorkPosition? bodyParameter)
        {
            var options = new PositionBodyOptions { DateCulture = _dateCulture };
            if (CommandLine.Contains("BodyParameter") && bodyParameter != null)
            {
                // One body for every piped item, which then gives only the user (and the position).
                return PositionBody.FromInput(BodyOf(bodyParameter), options);
            }

            if (Item == null)
            {
                return PositionBody.FromParameters(_commandLineValues, options);
            }

            if (Item.Problem != null)
            {
                throw new PositionInputException("Row", Item.Problem);
            }

            if (Item.Kind == PipelineItemKind.Body || (Item.Kind == PipelineItemKind.ModuleOutput && Item.Body != null))
            {
                // A piped body is most often a position read somewhere (Invoke-RestMethod, Graph Explorer, a backup):
                // its read-only members are expected, and dropped without a warning per row.
                options.QuietReadOnly = true;
                return PositionBody.FromInput(Item.Body, options);
            }

            var given = new Dictionary<string, object?>(_commandLineValues, StringComparer.OrdinalIgnoreCase);
            if (Item.Kind == PipelineItemKind.Row)
            {
                // The few columns this row gives, rather than every body parameter looked up in the row: the same pairs.
                foreach (var name in Item.GivenParameters)
                {
                    if (BodyParameterNames.Contains(name) && !CommandLine.Contains(name) && Item.TryGetValue(name, out var value))
                    {
                        given[name] = value;
                        options.RowParameters.Add(name);
                    }
                }
            }

            return PositionBody.FromParameters(given, options);
        }

        /// <summary>The job title this item names, for its error message.</summary>
        protected string? ItemJobTitle(PositionBody? body) =>
            body?.Value.Detail?.JobTitle ?? Item?.Text("JobTitle") ?? (_commandLineValues.TryGetValue("JobTitle", out var title) ? title as string : null);

        /// <summary>Writes the engine's warnings (unknown keys sent as given, read-only keys dropped), each once per pipeline.</summary>
        protected void WriteBodyWarnings(PositionBody body)
        {
            foreach (var warning in body.Warnings)
            {
                if (Item == null)
                {
                    WriteWarning(warning);
                }
                else if (_warnedBody.Add(warning))
                {
                    WriteWarning("Row " + Item.Number + ": " + warning + " (Said once; later rows with the same are treated alike.)");
                }
            }
        }

        private readonly HashSet<string> _warnedBody = new HashSet<string>(StringComparer.Ordinal);

        private static readonly HashSet<string> BodyParameterNames = new HashSet<string>(PositionBody.ParameterNames, StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// A culture this system knows by exactly that name. On Linux, .NET makes up a culture for any well-formed name
        /// ("en-UK", "xx-YY") with invariant (US-style) formats, which would read 01/04/2019 as January 4 without a word.
        /// </summary>
        private static CultureInfo? KnownCulture(string name)
        {
            if (name.Trim().Length == 0)
            {
                return null;
            }

            foreach (var culture in CultureInfo.GetCultures(CultureTypes.AllCultures))
            {
                if (culture.Name.Length > 0 && string.Equals(culture.Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return culture;
                }
            }

            return null;
        }

        private static string CultureHint(string name)
        {
            var normalised = name.Trim().Replace('_', '-');
            if (string.Equals(normalised, "en-UK", StringComparison.OrdinalIgnoreCase))
            {
                return "did you mean en-GB (the United Kingdom)?";
            }

            if (!string.Equals(normalised, name, StringComparison.Ordinal) && KnownCulture(normalised) is { } fixedName)
            {
                return "did you mean " + fixedName.Name + "?";
            }

            var language = normalised.Split('-')[0];
            var same = CultureInfo.GetCultures(CultureTypes.SpecificCultures)
                .Where(culture => culture.Name.StartsWith(language + "-", StringComparison.OrdinalIgnoreCase))
                .Select(culture => culture.Name).Take(8).ToArray();
            return same.Length > 0 ? "names like " + string.Join(", ", same) + " are." : "use a name such as en-US, en-GB, de-DE or fr-FR.";
        }

        /// <summary>What -BodyParameter holds, as the engine takes it.</summary>
        protected static object BodyOf(WorkPosition bodyParameter) => bodyParameter is BodyInput input ? input.Raw! : bodyParameter;

        /// <summary>What -BodyParameter holds, as the target of an error.</summary>
        protected static object? BodyTarget(WorkPosition? bodyParameter) => bodyParameter is BodyInput input ? input.Original : bodyParameter;
    }

    /// <summary>Culture names for -DateCulture: the ones HR exports most often come in.</summary>
    public sealed class DateCultureCompleter : FixedValuesCompleter
    {
        protected override IReadOnlyList<string> Values { get; } = new[] { "en-US", "en-GB", "en-AU", "en-CA", "de-DE", "fr-FR", "es-ES", "it-IT", "nl-NL", "pt-BR", "sv-SE", "ja-JP" };
    }
}
