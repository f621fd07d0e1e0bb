using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Binding
{
    /// <summary>-Headers: extra request headers, checked before anything is sent.</summary>
    internal static class RequestHeaders
    {
        // The connection signs every request and addresses the connected endpoint; a header must not change either.
        private static readonly string[] Refused = { "Authorization", "Host" };

        /// <summary>The headers as name and value text; throws PositionInputException (HeaderNotAllowed, HeaderInvalid) for one that may not be sent.</summary>
        public static IReadOnlyDictionary<string, string> Read(IDictionary headers)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry entry in headers)
            {
                var name = Convert.ToString(PlainValue.From(entry.Key), CultureInfo.InvariantCulture) ?? string.Empty;
                if (name.Length == 0 || !name.All(IsTokenChar))
                {
                    throw new PositionInputException("Headers", "-Headers: '" + name + "' is not a header name (letters, digits and !#$%&'*+-.^_`|~ only).", "HeaderInvalid");
                }

                if (Refused.Any(refused => string.Equals(refused, name, StringComparison.OrdinalIgnoreCase)))
                {
                    throw new PositionInputException(
                        "Headers",
                        "-Headers may not set '" + name + "': " + (string.Equals(name, "Host", StringComparison.OrdinalIgnoreCase)
                            ? "requests go to the endpoint of the connection (Connect-ProfileGraph -GraphEndpoint or -Environment)."
                            : "the connection signs every request with its own token (Connect-ProfileGraph, or -AccessToken for a token of your own)."),
                        "HeaderNotAllowed");
                }

                var value = ValueText(PlainValue.From(entry.Value));
                if (value.IndexOfAny(new[] { '\r', '\n' }) >= 0)
                {
                    throw new PositionInputException("Headers", "-Headers: the value of '" + name + "' contains a line break, which would end the header.", "HeaderInvalid");
                }

                result[name] = value;
            }

            return result;
        }

        private static string ValueText(object? value)
        {
            if (value is IEnumerable list && !(value is string))
            {
                return string.Join(", ", list.Cast<object?>().Select(item => Convert.ToString(item, CultureInfo.InvariantCulture)));
            }

            return Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
        }

        private static bool IsTokenChar(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "!#$%&'*+-.^_`|~".IndexOf(c) >= 0;
    }
}
