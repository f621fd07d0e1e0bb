using System;

namespace ProfilePositions.Engine.Errors
{
    /// <summary>Base of every error the engine raises on purpose; the cmdlets map each type to an ErrorRecord in one place.</summary>
    public abstract class ProfileGraphException : Exception
    {
        protected ProfileGraphException(string message, Exception? innerException = null) : base(message, innerException)
        {
        }

        /// <summary>Stable PascalCase id for the ErrorRecord (Graph's error code for service errors).</summary>
        public abstract string ErrorId { get; }
    }

    /// <summary>A position cmdlet ran before Connect-ProfileGraph.</summary>
    public sealed class NotConnectedException : ProfileGraphException
    {
        public NotConnectedException() : base("Not connected to Microsoft Graph. Run Connect-ProfileGraph first, then run this command again.")
        {
        }

        public NotConnectedException(string message) : base(message)
        {
        }

        public override string ErrorId => "NotConnected";
    }

    /// <summary>
    /// Sign-in could not be done, a connection setting was refused (app-only token, plain http to a remote host...), or a
    /// request got no whole answer (the error id says which: lost, timed out, cut off).
    /// </summary>
    public class ConnectionException : ProfileGraphException
    {
        /// <summary>The connection was reset or closed after the request went out.</summary>
        public const string ConnectionLostId = "GraphConnectionLost";

        /// <summary>No answer within -TimeoutSec.</summary>
        public const string TimeoutId = "GraphTimeout";

        /// <summary>The answer was cut off.</summary>
        public const string CutOffId = "ResponseCutOff";

        public ConnectionException(string errorId, string message, Exception? innerException = null) : base(message, innerException)
        {
            ErrorId = errorId;
        }

        public override string ErrorId { get; }

        /// <summary>
        /// True when every later request of the run would fail the same way (Graph unreachable, a sign-in that cannot be
        /// renewed): a bulk command stops at the first one with a single terminating error that says how to resume.
        /// </summary>
        public virtual bool StopsTheRun => false;

        /// <summary>
        /// For an error that <see cref="StopsTheRun"/>: what to do before the command is run again to resume ("Connect-ProfileGraph"),
        /// or null when running it again is all it takes. The stop message reads "After {this}, run the same command again...".
        /// </summary>
        public virtual string? BeforeResuming => null;
    }

    /// <summary>
    /// The sign-in behind a connection can no longer be renewed silently: its refresh token expired or was revoked
    /// (AADSTS70008, AADSTS50173...), or consent is missing. Only a new Connect-ProfileGraph helps.
    /// </summary>
    public sealed class SignInRequiredException : ConnectionException
    {
        public const string Id = "SignInRequired";

        public SignInRequiredException(string account, string? reason, Exception? innerException = null)
            : base(Id, "The sign-in of " + account + " can no longer be renewed" + (string.IsNullOrEmpty(reason) ? string.Empty : " (" + reason!.TrimEnd('.') + ")") +
                   ", so no more requests can be sent with this connection. Run Connect-ProfileGraph again to sign in.", innerException)
        {
        }

        public override bool StopsTheRun => true;

        public override string? BeforeResuming => "Connect-ProfileGraph";
    }

    /// <summary>
    /// Graph refused the connection's access token (401) and one renewal could not fix it: a -AccessToken that expired, a
    /// token provider that hands back a token Graph refuses, a sign-in whose token Graph no longer accepts. Every later
    /// request would be refused the same way, so a bulk command stops at the first one. A 401 writes nothing.
    /// </summary>
    public sealed class AccessTokenRejectedException : ConnectionException
    {
        public AccessTokenRejectedException(string errorId, string message, string beforeResuming, Exception? innerException = null) : base(errorId, message, innerException)
        {
            BeforeResuming = beforeResuming;
        }

        public override bool StopsTheRun => true;

        public override string? BeforeResuming { get; }
    }

    /// <summary>
    /// The -AccessTokenProvider script block failed or gave something that cannot be used: nothing, an app-only token, a
    /// token that has already expired, or the very token Graph just refused. Requests cannot go on without a token, so a
    /// bulk command stops at the first one.
    /// </summary>
    public sealed class AccessTokenProviderException : ConnectionException
    {
        public const string FailedId = "AccessTokenProviderFailed";

        public AccessTokenProviderException(string errorId, string message, Exception? innerException = null) : base(errorId, message, innerException)
        {
        }

        public override bool StopsTheRun => true;

        public override string? BeforeResuming => "fixing the token provider (Connect-ProfileGraph -AccessTokenProvider)";
    }

    /// <summary>
    /// Graph could not be reached at all (connection refused, no such host) through every retry: the request was not
    /// sent. A bulk command stops at the first one rather than failing every remaining row the same way.
    /// </summary>
    public sealed class EndpointUnreachableException : ConnectionException
    {
        public const string Id = "GraphUnreachable";

        public EndpointUnreachableException(string message, Exception? innerException = null) : base(Id, message, innerException)
        {
        }

        public override bool StopsTheRun => true;
    }

    /// <summary>
    /// The connection's token certainly lacks the delegated scope an operation needs (the scope preflight, before anything
    /// is sent, or Graph's 403 to a request the preflight proves could not succeed): every operation like it would be
    /// refused, so a bulk command stops at the first one. Says which scope and the Connect-ProfileGraph command that fixes it.
    /// </summary>
    public sealed class MissingScopeException : ConnectionException
    {
        public const string Id = "MissingScope";

        public MissingScopeException(string scope, string fix, string message, GraphServiceException? graphAnswer = null) : base(Id, message, graphAnswer)
        {
            Scope = scope;
            Fix = fix;
        }

        /// <summary>The least delegated scope that would allow the operation.</summary>
        public string Scope { get; }

        /// <summary>The Connect-ProfileGraph command that asks for it.</summary>
        public string Fix { get; }

        /// <summary>Graph's own 403, when Graph was asked; null when the preflight refused before sending.</summary>
        public GraphServiceException? GraphAnswer => InnerException as GraphServiceException;

        public override bool StopsTheRun => true;

        public override string? BeforeResuming => "connecting with " + Scope;
    }

    /// <summary>
    /// The terminating error of a bulk command stopped by an error that <see cref="ConnectionException.StopsTheRun"/>:
    /// the cause's id and message, then where the run stopped, what was done, and how to resume.
    /// </summary>
    public sealed class RunStoppedException : ConnectionException
    {
        public RunStoppedException(ConnectionException cause, string whereAndHow)
            : base(cause.ErrorId, cause.Message.TrimEnd('.') + ". " + whereAndHow, cause)
        {
        }
    }

    /// <summary>An input item cannot be sent as it is (wrong type, bad date, bad enum value...).</summary>
    public sealed class PositionInputException : ProfileGraphException
    {
        public PositionInputException(string member, string message, string errorId = "InvalidPositionInput") : base(message)
        {
            Member = member;
            ErrorId = errorId;
        }

        /// <summary>The offending member or parameter, e.g. detail.startMonthYear.</summary>
        public string Member { get; }

        /// <summary>InvalidPositionInput, or PositionBodyEmpty when there is nothing to send.</summary>
        public override string ErrorId { get; }
    }

    /// <summary>A list whose next links repeat, or that pages without end: it is stopped rather than read forever.</summary>
    public sealed class GraphPagingException : ProfileGraphException
    {
        public GraphPagingException(string user, string nextLink, int pages, int read)
            : base("Reading the positions of '" + user + "' stopped after " + pages + " pages (" + read + " positions): " +
                   (pages > 1000 ? "more pages than any profile holds" : "the next-page link repeats an earlier one") + " (" + nextLink + "). " +
                   "Graph's paging for this user looks broken; nothing was written for it. Try again later, or read with -Top.")
        {
        }

        public override string ErrorId => "GraphPagingLoop";
    }

    /// <summary>Graph answered with an error. The message carries status, code, Graph's message, request-id and a hint.</summary>
    public sealed class GraphServiceException : ProfileGraphException
    {
        public GraphServiceException(int statusCode, string code, string graphMessage, string? requestId, string? clientRequestId, string? date, string hint, Exception? innerException = null)
            : base(WithHint(Describe(statusCode, code, graphMessage, requestId), hint), innerException)
        {
            Summary = Describe(statusCode, code, graphMessage, requestId);
            StatusCode = statusCode;
            Code = string.IsNullOrEmpty(code) ? "UnknownError" : code;
            GraphMessage = graphMessage;
            RequestId = requestId;
            ClientRequestId = clientRequestId;
            Date = date;
            Hint = hint;
        }

        public int StatusCode { get; }

        public string Code { get; }

        public string GraphMessage { get; }

        public string? RequestId { get; }

        public string? ClientRequestId { get; }

        public string? Date { get; }

        public string Hint { get; }

        /// <summary>The message without the hint: status, code, Graph's message and request-id.</summary>
        public string Summary { get; }

        public override string ErrorId => Code;

        private static string WithHint(string summary, string hint) =>
            string.IsNullOrEmpty(hint) ? summary : summary + " " + hint.TrimEnd('.') + ".";

        private static string Describe(int statusCode, string code, string graphMessage, string? requestId)
        {
            var text = "Graph returned " + statusCode + " " + (string.IsNullOrEmpty(code) ? "UnknownError" : code) + ": " + (string.IsNullOrEmpty(graphMessage) ? "(no message)" : graphMessage);
            if (!string.IsNullOrEmpty(requestId))
            {
                text += " (request-id " + requestId + ")";
            }

            return text.TrimEnd('.') + ".";
        }
    }
}
