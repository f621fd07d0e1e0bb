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
        private readonly HashSet<string> _warnedColumns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private CultureInfo? _dateCulture;

        /// <summary>
        /// How to read numeric day/month dates such as 4/1/2019 (en-US: April 1; en-GB: 4 January), and that culture's
        /// month names. Without it such dates are refused as ambiguous; ISO dates and English month names always work.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(DateCultureCompleter))]
        public string? DateCulture { get; set; }

        // Bodies may come from the pipeline unless the command line already says what to write.
        protected override bool PipedBodiesAllowed => !CommandLine.Contains("BodyParameter") && !PositionBody.ParameterNames.Any(CommandLine.Contains);

        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            if (DateCulture != null)
            {
                try
                {
                    _dateCulture = CultureInfo.GetCultureInfo(DateCulture);
                }
                catch (CultureNotFoundException)
                {
                    ThrowTerminatingError(ErrorRecords.Invalid("DateCultureUnknown", "-DateCulture '" + DateCulture + "' is not a culture name this system knows; use a name such as en-US, en-GB, de-DE or fr-FR.", DateCulture));
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
                return PositionBody.FromInput(Item.Body, options);
            }

            var given = new Dictionary<string, object?>(_commandLineValues, StringComparer.OrdinalIgnoreCase);
            if (Item.Kind == PipelineItemKind.Row)
            {
                foreach (var name in PositionBody.ParameterNames)
                {
                    if (!CommandLine.Contains(name) && Item.TryGetValue(name, out var value))
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

        /// <summary>Names, once per pipeline, the columns of piped rows that bind to no parameter.</summary>
        protected void WarnIgnoredColumns()
        {
            if (Item == null || !Item.IsTable || Item.IgnoredColumns.Count == 0)
            {
                return;
            }

            var fresh = Item.IgnoredColumns.Where(column => _warnedColumns.Add(column)).ToArray();
            if (fresh.Length > 0)
            {
                WriteWarning(
                    "Row " + Item.Number + ": " + (fresh.Length == 1 ? "the column " : "the columns ") + string.Join(", ", fresh.Select(column => "'" + column + "'")) +
                    " match no parameter of " + MyInvocation.MyCommand.Name + " and " + (fresh.Length == 1 ? "is" : "are") + " ignored (said once per column). " +
                    "Rename " + (fresh.Length == 1 ? "it" : "them") + " to a parameter name or alias (Get-Help " + MyInvocation.MyCommand.Name + " -Parameter * lists them).");
            }
        }

        /// <summary>Writes the engine's warnings (unknown keys sent as given, read-only keys dropped).</summary>
        protected void WriteBodyWarnings(PositionBody body)
        {
            foreach (var warning in body.Warnings)
            {
                WriteWarning(Item != null ? "Row " + Item.Number + ": " + warning : warning);
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
