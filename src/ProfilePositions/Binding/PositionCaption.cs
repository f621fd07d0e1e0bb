using System;
using System.Collections;
using System.Globalization;
using System.Management.Automation;

namespace ProfilePositions.Binding
{
    /// <summary>
    /// The job title and company a piped object names, so that -WhatIf and -Confirm say which position they mean, not only
    /// its id: a WorkPosition (from its detail), a row with JobTitle and CompanyName columns, or a backup read with
    /// ConvertFrom-Json (its nested detail). Only for showing: nothing read here is sent.
    /// </summary>
    internal static class PositionCaption
    {
        public static (string? JobTitle, string? Company) Of(PipelineItem? item)
        {
            if (item == null)
            {
                return (null, null);
            }

            if (item.Input.BaseObject is WorkPosition position)
            {
                return (Clean(position.Detail?.JobTitle), Clean(position.Detail?.Company?.DisplayName));
            }

            var detail = Member(item.Input, "Detail");
            var jobTitle = Text(Member(item.Input, "JobTitle")) ?? Text(Member(detail, "JobTitle"));
            var company = Text(Member(item.Input, "CompanyName")) ?? Text(Member(Member(detail, "Company"), "DisplayName"));
            return (jobTitle, company);
        }

        /// <summary>" (job title 'x', company 'y')", or nothing when the object names neither.</summary>
        public static string Describe(string? jobTitle, string? company)
        {
            if (jobTitle == null && company == null)
            {
                return string.Empty;
            }

            var parts = jobTitle != null && company != null
                ? "job title '" + jobTitle + "', company '" + company + "'"
                : jobTitle != null ? "job title '" + jobTitle + "'" : "company '" + company + "'";
            return " (" + parts + ")";
        }

        // A dictionary's key or an object's property, matched case-insensitively; null when absent or unreadable.
        private static object? Member(object? source, string name)
        {
            switch (source)
            {
                case null:
                case string _:
                    return null;
                case IDictionary dictionary:
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        if (string.Equals(Convert.ToString(entry.Key, CultureInfo.InvariantCulture), name, StringComparison.OrdinalIgnoreCase))
                        {
                            return entry.Value;
                        }
                    }

                    return null;
                case PSObject wrapped when wrapped.BaseObject is IDictionary inner:
                    return Member(inner, name);
                default:
                    try
                    {
                        return PSObject.AsPSObject(source).Properties[name]?.Value;
                    }
                    catch (GetValueException)
                    {
                        return null;
                    }
            }
        }

        private static string? Text(object? value)
        {
            var plain = value is PSObject wrapped ? wrapped.BaseObject : value;
            return plain is string || plain is ValueType ? Clean(Convert.ToString(plain, CultureInfo.InvariantCulture)) : null;
        }

        private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text!.Trim();
    }
}
