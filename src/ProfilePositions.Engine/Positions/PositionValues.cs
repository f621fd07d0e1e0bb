using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>What the schema allows, for tab completion and for reading CSV cells back.</summary>
    public static class PositionValues
    {
        /// <summary>allowedAudiences values Graph accepts on input (unknownFutureValue is not one of them).</summary>
        public static IReadOnlyList<string> AllowedAudiences { get; } =
            PositionSchema.AllowedAudiences.Members.Select(member => member.Name).Where(name => name != "unknownFutureValue").ToArray();

        /// <summary>physicalAddressType values.</summary>
        public static IReadOnlyList<string> AddressTypes { get; } =
            PositionSchema.PhysicalAddressType.Members.Select(member => member.Name).ToArray();

        /// <summary>Top-level members for -Property ($select).</summary>
        public static IReadOnlyList<string> SelectableProperties { get; } = WorkPosition.MemberNames.ToArray();

        /// <summary>Member paths for -Sort ($orderby) that the profile API is known to sort by.</summary>
        public static IReadOnlyList<string> SortableProperties { get; } = new[]
        {
            "createdDateTime", "lastModifiedDateTime", "detail/jobTitle", "detail/startMonthYear", "isCurrent",
        };

        /// <summary>
        /// A boolean as rows and command lines give it: $true/$false, 1/0, or the text True/False, Yes/No, 1/0 in any
        /// case. Anything else is not a boolean (it is refused, never guessed).
        /// </summary>
        public static bool TryReadBoolean(object? value, out bool result)
        {
            result = false;
            switch (value)
            {
                case bool flag:
                    result = flag;
                    return true;
                case string text:
                    switch (text.Trim().ToLowerInvariant())
                    {
                        case "true":
                        case "yes":
                        case "1":
                            result = true;
                            return true;
                        case "false":
                        case "no":
                        case "0":
                            return true;
                    }

                    return false;
                case int number when number == 0 || number == 1:
                    result = number == 1;
                    return true;
                case long number when number == 0 || number == 1:
                    result = number == 1;
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>
        /// The items of a JSON array text (how the module's objects print a collection, so a CSV cell reads back):
        /// dictionaries, lists, strings, booleans and numbers.
        /// </summary>
        public static object?[] ReadJsonArray(string parameterName, string text)
        {
            try
            {
                if (GraphJson.Parse(text) is System.Collections.IList items)
                {
                    var result = new object?[items.Count];
                    items.CopyTo(result, 0);
                    return result;
                }
            }
            catch (JsonException exception)
            {
                throw new PositionInputException(parameterName, "'" + parameterName + "' is not a valid JSON array: " + exception.Message);
            }

            throw new PositionInputException(parameterName, "'" + parameterName + "' must be a JSON array such as [\"a\",\"b\"].");
        }
    }
}
