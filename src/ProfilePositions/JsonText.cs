using System.Collections.Generic;
using System.Management.Automation;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// Reads JSON text with PowerShell's own ConvertFrom-Json (this assembly references no JSON library),
    /// keeping date-like strings as strings where the running PowerShell can.
    /// </summary>
    internal static class JsonText
    {
        private const string Script = @"
param($json)
$convert = Get-Command -Name 'Microsoft.PowerShell.Utility\ConvertFrom-Json'
$options = @{ InputObject = $json }
if ($convert.Parameters.ContainsKey('DateKind')) { $options.DateKind = 'String' }
if ($convert.Parameters.ContainsKey('NoEnumerate')) { $options.NoEnumerate = $true }
, (& $convert @options)
";

        public static object? Parse(string json)
        {
            // Created per call: a script block belongs to the runspace it first runs in.
            var reader = ScriptBlock.Create(Script);
            try
            {
                var results = reader.Invoke(json);
                var values = new List<object?>();
                foreach (var result in results)
                {
                    values.Add(PlainValue.From(result));
                }

                return values.Count == 1 ? values[0] : values.ToArray();
            }
            catch (RuntimeException exception)
            {
                throw new ArgumentTransformationMetadataException("The value is not valid JSON: " + exception.Message, exception);
            }
        }
    }
}
