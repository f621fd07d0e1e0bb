namespace ProfilePositions.Sandbox.Graph;

/// <summary>
/// A Graph request independent of HTTP, so a plain request and a <c>$batch</c> item go through the same handlers.
/// </summary>
internal sealed class GraphRequest
{
    public required string Method { get; init; }

    /// <summary>Path as sent, still percent-encoded, starting with the version segment: <c>/beta/me/profile/positions</c>.</summary>
    public required string RawPath { get; init; }

    /// <summary>Query string without the leading <c>?</c>, still percent-encoded; null when absent.</summary>
    public string? RawQuery { get; init; }

    public string? ContentType { get; init; }

    public byte[] Body { get; init; } = [];

    public string? Authorization { get; init; }

    public required string RequestId { get; init; }

    public required string ClientRequestId { get; init; }

    /// <summary>The <c>client-request-id</c> the client actually sent (null when it sent none), for the journal.</summary>
    public string? SentClientRequestId { get; init; }

    public int? RetryAttempt { get; init; }

    /// <summary><c>http://127.0.0.1:port</c>, for <c>@odata.context</c>, <c>Location</c> and <c>@odata.nextLink</c>.</summary>
    public required string BaseAddress { get; init; }

    public bool HasBody => Body.Length > 0;
}
