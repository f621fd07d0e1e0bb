namespace ProfilePositions.Sandbox.Graph;

internal enum RouteKind
{
    Invalid,
    Batch,
    PositionCollection,
    PositionItem,

    /// <summary><c>.../profile/positions/$count</c>: the number of (matching) positions as text.</summary>
    PositionCount,
}

/// <summary>
/// A parsed Graph path. User addressing follows Graph: <c>me</c>, <c>users/{id|upn}</c> (a UPN that starts with
/// <c>$</c> is rejected there, as OData reserves <c>$</c> segments) and <c>users('{upn}')</c> with <c>''</c> for <c>'</c>.
/// </summary>
internal sealed class GraphRoute
{
    private GraphRoute(RouteKind kind, string decodedPath)
    {
        Kind = kind;
        DecodedPath = decodedPath;
    }

    public RouteKind Kind { get; }

    /// <summary>Path after the version segment, percent-decoded: what fault rules match against.</summary>
    public string DecodedPath { get; }

    public bool IsMe { get; private init; }

    /// <summary>The user's id or UPN as addressed; null for <c>/me</c>.</summary>
    public string? UserKey { get; private init; }

    public string? PositionId { get; private init; }

    /// <summary>For <see cref="RouteKind.Invalid"/>: status, code and message to answer with.</summary>
    public (int Status, string Code, string Message) Error { get; private init; }

    public static GraphRoute Parse(string rawPath)
    {
        var segments = rawPath.Split('/').Skip(1).Select(Unescape).ToList();
        if (segments.Count > 1 && segments[^1].Length == 0)
        {
            segments.RemoveAt(segments.Count - 1);
        }

        var decodedPath = "/" + string.Join('/', segments.Skip(1));
        GraphRoute NotFound() => new(RouteKind.Invalid, decodedPath) { Error = (404, "BadRequest", ODataErrors.InvalidRequestMessage) };
        GraphRoute BadRequest(string message) => new(RouteKind.Invalid, decodedPath) { Error = (400, "BadRequest", message) };

        if (segments.Count == 0)
        {
            return NotFound();
        }

        if (Is(segments[0], "v1.0"))
        {
            return segments.Any(segment => Is(segment, "profile"))
                ? BadRequest("The profile API (workPosition) is only available in beta; use https://graph.microsoft.com/beta.")
                : NotFound();
        }

        if (!Is(segments[0], "beta"))
        {
            return NotFound();
        }

        var rest = segments.Skip(1).ToList();
        if (rest.Count == 1 && Is(rest[0], "$batch"))
        {
            return new GraphRoute(RouteKind.Batch, decodedPath);
        }

        if (rest.Count == 0)
        {
            return NotFound();
        }

        int next;
        string? userKey = null;
        var isMe = false;
        if (Is(rest[0], "me"))
        {
            isMe = true;
            next = 1;
        }
        else if (Is(rest[0], "users"))
        {
            if (rest.Count < 2 || rest[1].Length == 0)
            {
                return NotFound();
            }

            userKey = rest[1];
            if (userKey.StartsWith('$'))
            {
                return BadRequest($"Invalid object identifier '{userKey}'. A userPrincipalName that starts with '$' must be addressed as users('{userKey}').");
            }

            next = 2;
        }
        else if (rest[0].StartsWith("users(", StringComparison.OrdinalIgnoreCase) && rest[0].EndsWith(')'))
        {
            var literal = rest[0]["users(".Length..^1];
            userKey = ParseStringLiteral(literal);
            if (userKey is null)
            {
                return BadRequest($"Bad key segment '{rest[0]}': the key must be a quoted string literal, with '' for an apostrophe.");
            }

            next = 1;
        }
        else
        {
            return NotFound();
        }

        if (rest.Count < next + 2 || !Is(rest[next], "profile") || !Is(rest[next + 1], "positions"))
        {
            return NotFound();
        }

        if (rest.Count == next + 2)
        {
            return new GraphRoute(RouteKind.PositionCollection, decodedPath) { IsMe = isMe, UserKey = userKey };
        }

        if (rest.Count == next + 3 && Is(rest[next + 2], "$count"))
        {
            return new GraphRoute(RouteKind.PositionCount, decodedPath) { IsMe = isMe, UserKey = userKey };
        }

        if (rest.Count == next + 3 && rest[next + 2].Length > 0)
        {
            return new GraphRoute(RouteKind.PositionItem, decodedPath) { IsMe = isMe, UserKey = userKey, PositionId = rest[next + 2] };
        }

        return NotFound();
    }

    /// <summary>Decodes an OData string literal: <c>'a''b'</c> is <c>a'b</c>; anything else is null.</summary>
    internal static string? ParseStringLiteral(string literal)
    {
        if (literal.Length < 2 || literal[0] != '\'' || literal[^1] != '\'')
        {
            return null;
        }

        var inner = literal[1..^1];
        var builder = new System.Text.StringBuilder(inner.Length);
        for (var index = 0; index < inner.Length; index++)
        {
            if (inner[index] == '\'')
            {
                if (index + 1 < inner.Length && inner[index + 1] == '\'')
                {
                    builder.Append('\'');
                    index++;
                    continue;
                }

                return null;
            }

            builder.Append(inner[index]);
        }

        return builder.Length == 0 ? null : builder.ToString();
    }

    private static bool Is(string segment, string name) => string.Equals(segment, name, StringComparison.OrdinalIgnoreCase);

    private static string Unescape(string segment) => segment.Contains('%') ? Uri.UnescapeDataString(segment) : segment;
}
