using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace ProfilePositions.Sandbox.Identity;

/// <summary>One request to the identity platform routes, with its query and form already parsed.</summary>
internal sealed class IdentityRequest
{
    /// <summary>Parameters whose values are secrets: never journaled, never echoed.</summary>
    private static readonly HashSet<string> SecretParameters = new(
        ["code", "refresh_token", "device_code", "code_verifier", "client_assertion", "client_secret", "access_token", "id_token", "assertion", "password"],
        StringComparer.OrdinalIgnoreCase);

    public IdentityRequest(string method, string path, string? rawQuery, string? contentType, byte[] body, string baseAddress, string requestId, string correlationId)
    {
        Method = method;
        Path = path;
        RawQuery = rawQuery;
        ContentType = contentType;
        RawBody = body.Length == 0 ? null : Encoding.UTF8.GetString(body);
        BaseAddress = baseAddress;
        RequestId = requestId;
        CorrelationId = correlationId;
        Query = Parse(rawQuery);
        Form = IsForm ? Parse(RawBody) : new Dictionary<string, string>(StringComparer.Ordinal);
    }

    public string Method { get; }

    /// <summary>The decoded path, e.g. <c>/organizations/oauth2/v2.0/token</c>.</summary>
    public string Path { get; }

    public string? RawQuery { get; }

    public string? ContentType { get; }

    public string? RawBody { get; }

    /// <summary><c>https://127.0.0.1:&lt;port&gt;</c> as the client addressed the sandbox.</summary>
    public string BaseAddress { get; }

    public string RequestId { get; }

    /// <summary>The client's <c>client-request-id</c> (MSAL's correlation id), else the request id.</summary>
    public string CorrelationId { get; }

    public IReadOnlyDictionary<string, string> Query { get; }

    public IReadOnlyDictionary<string, string> Form { get; }

    public bool IsForm => ContentType is not null && ContentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase);

    /// <summary>The query with every secret value replaced by <c>REDACTED</c>, for the journal.</summary>
    public string? RedactedQuery => Redact(RawQuery);

    /// <summary>The form body with every secret value replaced by <c>REDACTED</c>, for the journal; other bodies are left out.</summary>
    public string? RedactedBody => IsForm ? Redact(RawBody) : RawBody is null ? null : "(not a form body: left out)";

    public static string? Redact(string? encoded)
    {
        if (string.IsNullOrEmpty(encoded))
        {
            return encoded;
        }

        var question = encoded.StartsWith('?') ? "?" : string.Empty;
        var pairs = encoded[question.Length..].Split('&');
        for (var index = 0; index < pairs.Length; index++)
        {
            var equals = pairs[index].IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString((equals < 0 ? pairs[index] : pairs[index][..equals]).Replace('+', ' '));
            if (equals >= 0 && SecretParameters.Contains(name))
            {
                pairs[index] = pairs[index][..(equals + 1)] + "REDACTED";
            }
        }

        return question + string.Join('&', pairs);
    }

    private static Dictionary<string, string> Parse(string? encoded)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(encoded))
        {
            return result;
        }

        foreach (var (name, values) in QueryHelpers.ParseQuery(encoded))
        {
            result[name] = values.Count > 0 ? values[0] ?? string.Empty : string.Empty;
        }

        return result;
    }

    public string? Parameter(string name) => Form.TryGetValue(name, out var value) && value.Length > 0 ? value : null;

    public string? QueryValue(string name) => Query.TryGetValue(name, out var value) && value.Length > 0 ? value : null;
}

/// <summary>What an identity route answers: JSON, a small HTML page or a redirect.</summary>
internal sealed class IdentityResponse(int status, string? contentType = null, byte[]? body = null)
{
    public int Status { get; } = status;

    public string? ContentType { get; } = contentType;

    public byte[]? Body { get; } = body;

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>The user the response is about (signed in or issued tokens), for the journal.</summary>
    public string? User { get; set; }

    public static IdentityResponse Json(int status, System.Text.Json.Nodes.JsonNode body) =>
        new(status, "application/json; charset=utf-8", State.SandboxJson.Serialize(body));

    public static IdentityResponse Html(int status, string html) =>
        new(status, "text/html; charset=utf-8", Encoding.UTF8.GetBytes(html));

    public static IdentityResponse Redirect(string location)
    {
        var response = new IdentityResponse(302);
        response.Headers.Add(new("Location", location));
        return response;
    }

    public override string ToString() => $"{Status} {(Body is null ? string.Empty : Encoding.UTF8.GetString(Body))}";
}
