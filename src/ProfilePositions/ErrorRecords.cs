using System;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Commands
{
    /// <summary>
    /// The one place where exceptions become ErrorRecords: the ErrorId is Graph's error code (or the engine's own id),
    /// the category follows the HTTP status, the target is the input item, and the message is the engine's,
    /// which already carries status, code, Graph's message, request-id and a hint.
    /// </summary>
    internal static class ErrorRecords
    {
        public static ErrorRecord From(Exception exception, object? target)
        {
            switch (exception)
            {
                case GraphServiceException graph:
                    return Build(graph, graph.ErrorId, CategoryFor(graph.StatusCode), target, graph.Hint, graph.Summary);
                case PositionInputException input:
                    return Build(input, input.ErrorId, ErrorCategory.InvalidData, target, null);
                case MissingScopeException missing:
                    return Build(missing, missing.ErrorId, ErrorCategory.PermissionDenied, target, missing.Fix);
                case RunStoppedException stopped when stopped.InnerException is MissingScopeException cause:
                    return Build(stopped, stopped.ErrorId, ErrorCategory.PermissionDenied, target, cause.Fix);
                case NotConnectedException notConnected:
                    return Build(notConnected, notConnected.ErrorId, ErrorCategory.AuthenticationError, target, null);
                case ConnectionException connection:
                    return Build(connection, connection.ErrorId, ErrorCategory.AuthenticationError, target, null);
                case ProfileGraphException other:
                    return Build(other, other.ErrorId, ErrorCategory.NotSpecified, target, null);
                case HttpRequestException _:
                case IOException _:
                    return Build(exception, "GraphConnectionFailed", ErrorCategory.ConnectionError, target, "Check the network connection and the Graph endpoint, then try again.");
                case TimeoutException _:
                case OperationCanceledException _:
                    return Build(exception, "GraphRequestTimedOut", ErrorCategory.OperationTimeout, target, "Try again; Graph did not answer in time.");
                default:
                    return Build(exception, exception.GetType().Name, ErrorCategory.NotSpecified, target, null);
            }
        }

        /// <summary>A per-item error whose displayed message starts with the item, e.g. "Row 3 (user 'x'): ..." or "For user 'x': ...".</summary>
        public static ErrorRecord ForItem(Exception exception, object? target, string itemLabel)
        {
            var record = From(exception, target);
            if (target is PSObject row && row.BaseObject is PSCustomObject)
            {
                // The row as PowerShell shows it, @{UserId=...; JobTitle=...}: PSObject would say nothing about it.
                record.CategoryInfo.TargetType = nameof(PSCustomObject);
            }

            var shown = record.ErrorDetails?.Message ?? exception.Message;
            record.ErrorDetails = new ErrorDetails(itemLabel + ": " + shown) { RecommendedAction = record.ErrorDetails?.RecommendedAction };
            return record;
        }

        /// <summary>Errors of the cmdlet's own making, such as a parameter value that cannot be used.</summary>
        public static ErrorRecord Invalid(string errorId, string message, object? target) =>
            new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);

        private static ErrorCategory CategoryFor(int statusCode)
        {
            switch (statusCode)
            {
                case 400:
                case 405:
                case 415:
                    return ErrorCategory.InvalidArgument;
                case 401:
                    return ErrorCategory.AuthenticationError;
                case 403:
                    return ErrorCategory.PermissionDenied;
                case 404:
                    return ErrorCategory.ObjectNotFound;
                case 409:
                    return ErrorCategory.ResourceExists;
                case 412:
                    return ErrorCategory.InvalidOperation;
                case 429:
                case 503:
                case 507:
                    return ErrorCategory.ResourceUnavailable;
                default:
                    return statusCode >= 500 ? ErrorCategory.ConnectionError : ErrorCategory.NotSpecified;
            }
        }

        /// <param name="summary">What the host shows above the recommendation; the exception's own message (which
        /// already ends with the hint) when not given, so the hint is not printed twice.</param>
        private static ErrorRecord Build(Exception exception, string errorId, ErrorCategory category, object? target, string? recommendedAction, string? summary = null)
        {
            var record = new ErrorRecord(exception, string.IsNullOrEmpty(errorId) ? "UnknownError" : errorId, category, target);
            if (!string.IsNullOrEmpty(recommendedAction))
            {
                var action = recommendedAction!.TrimEnd();
                record.ErrorDetails = new ErrorDetails(summary ?? exception.Message) { RecommendedAction = action.EndsWith(".", StringComparison.Ordinal) || EndsWithCommand(action) ? action : action + "." };
            }

            return record;
        }

        /// <summary>
        /// True when the recommendation's last sentence is a command ("Connect-ProfileGraph -Scopes ..."): it is left
        /// without a full stop, so that it can be copied and run as shown (a '.' after a URL or a value breaks it).
        /// </summary>
        internal static bool EndsWithCommand(string action)
        {
            var lastSentence = action.LastIndexOf(". ", StringComparison.Ordinal);
            var tail = lastSentence < 0 ? action : action.Substring(lastSentence + 2);
            return CommandPattern.IsMatch(tail);
        }

        private static readonly System.Text.RegularExpressions.Regex CommandPattern =
            new System.Text.RegularExpressions.Regex(@"\b[A-Z][a-z]+-[A-Z][A-Za-z]+\b.*\s-[A-Za-z]", System.Text.RegularExpressions.RegexOptions.CultureInvariant);
    }
}
