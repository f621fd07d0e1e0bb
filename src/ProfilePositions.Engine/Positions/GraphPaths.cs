using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// Builds request URLs so that no -UserId or position id can change the shape of the path (graph-api.md §3.6):
    /// every value is one escaped segment; '#' becomes %23, '/' %2F, '?' %3F; a value starting with '$' (OData
    /// reserves such segments) and a value of only dots (which URL normalisation would remove) use the key form
    /// users('value') with quotes doubled.
    /// </summary>
    internal static class GraphPaths
    {
        public const string ApiVersion = "beta";

        /// <summary>The user as the output objects carry it: "me" when none was given.</summary>
        public static string DisplayUser(string? userId) => string.IsNullOrEmpty(userId) ? "me" : userId!;

        public static bool IsMe(string? userId) => string.IsNullOrEmpty(userId) || string.Equals(userId, "me", StringComparison.OrdinalIgnoreCase);

        /// <summary>"me", "users/{escaped}" or "users('{value}')".</summary>
        public static string UserSegment(string? userId)
        {
            if (IsMe(userId))
            {
                return "me";
            }

            var value = userId!;
            CheckValue(value, "UserId");
            return NeedsKeySyntax(value) ? "users(" + KeyLiteral(value) + ")" : "users/" + EscapeSegment(value);
        }

        public static string PositionSegment(string positionId)
        {
            if (positionId == null || positionId.Trim().Length == 0)
            {
                throw new PositionInputException("WorkPositionId", "The position id is empty: give the id of a position (Get-ProfilePosition shows it).");
            }

            var value = positionId;
            CheckValue(value, "WorkPositionId");
            return NeedsKeySyntax(value) ? "positions(" + KeyLiteral(value) + ")" : "positions/" + EscapeSegment(value);
        }

        /// <summary>{root}/beta/{user}/profile/positions[/{id}]</summary>
        public static string PositionsUrl(Uri graphRoot, string? userId, string? positionId = null)
        {
            var builder = new StringBuilder(Root(graphRoot));
            builder.Append('/').Append(ApiVersion).Append('/').Append(UserSegment(userId)).Append("/profile/");
            builder.Append(positionId == null ? "positions" : PositionSegment(positionId));
            return builder.ToString();
        }

        public static string Root(Uri graphRoot) => graphRoot.GetLeftPart(UriPartial.Path).TrimEnd('/');

        /// <summary>Appends OData options; values are escaped so '&amp;', '#', '+' and spaces cannot break the query.</summary>
        public static string WithQuery(string url, IEnumerable<KeyValuePair<string, string>> options)
        {
            var builder = new StringBuilder(url);
            var separator = '?';
            foreach (var option in options)
            {
                builder.Append(separator).Append(option.Key).Append('=').Append(EscapeQueryValue(option.Value));
                separator = '&';
            }

            return builder.ToString();
        }

        private static bool NeedsKeySyntax(string value)
        {
            if (value.StartsWith("$", StringComparison.Ordinal))
            {
                return true;
            }

            foreach (var c in value)
            {
                if (c != '.')
                {
                    return false;
                }
            }

            return true;
        }

        private static string KeyLiteral(string value) => "'" + EscapeSegment(value.Replace("'", "''"), keepQuote: true) + "'";

        /// <summary>Percent-encodes everything but unreserved characters and the few a UPN uses that are safe in a segment.</summary>
        public static string EscapeSegment(string value, bool keepQuote = true)
        {
            return Escape(value, c => IsUnreserved(c) || c == '@' || c == '!' || c == '$' || (keepQuote && c == '\''));
        }

        public static string EscapeQueryValue(string value)
        {
            // Kept literal: OData punctuation that is legal in a query value and reads better in -WhatIf and logs.
            return Escape(value, c => IsUnreserved(c) || c == '\'' || c == '(' || c == ')' || c == ',' || c == ':' || c == '@' || c == '/' || c == '$' || c == '*' || c == '!');
        }

        private static string Escape(string value, Func<char, bool> keep)
        {
            var builder = new StringBuilder(value.Length);
            foreach (var b in Encoding.UTF8.GetBytes(value))
            {
                var c = (char)b;
                if (b < 0x80 && keep(c))
                {
                    builder.Append(c);
                }
                else
                {
                    builder.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
                }
            }

            return builder.ToString();
        }

        private static bool IsUnreserved(char c) =>
            (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';

        /// <summary>
        /// Refused, not repaired: a value with a control character (CR, LF, TAB) or with spaces around it is a damaged
        /// cell, and trimming it could address somebody else ("\r\nme" is not "me").
        /// </summary>
        private static void CheckValue(string value, string parameter)
        {
            foreach (var c in value)
            {
                if (char.IsControl(c))
                {
                    throw new PositionInputException(parameter, $"The {parameter} value '{Visible(value)}' contains a control character (a line break or a tab); fix the input. It is not trimmed, so that nothing goes to a user or position it does not name.");
                }
            }

            if (value.Trim().Length != value.Length)
            {
                throw new PositionInputException(parameter, $"The {parameter} value '{value}' has spaces before or after it; fix the input. It is not trimmed, so that nothing goes to a user or position it does not name.");
            }
        }

        private static string Visible(string value) => value.Replace("\r", "\\r").Replace("\n", "\\n").Replace("\t", "\\t");
    }
}
