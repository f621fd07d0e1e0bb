using System.Text;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>Status, headers and a UTF-8 body (JSON unless said otherwise, or none); written to HTTP or embedded in a batch response.</summary>
internal sealed class GraphResponse(int status, byte[]? body = null, string contentType = GraphResponse.JsonContentType)
{
    public const string JsonContentType = "application/json; charset=utf-8";

    public const string TextContentType = "text/plain; charset=utf-8";

    public int Status { get; } = status;

    public byte[]? Body { get; } = body;

    /// <summary>The media type of <see cref="Body"/>: JSON, or plain text for <c>/$count</c>.</summary>
    public string ContentType { get; } = contentType;

    public bool IsJson => ContentType == JsonContentType;

    public List<KeyValuePair<string, string>> Headers { get; } = [];

    public GraphResponse WithHeader(string name, string value)
    {
        Headers.Add(new(name, value));
        return this;
    }

    public string? Header(string name) =>
        Headers.FirstOrDefault(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)).Value;

    public bool IsSuccess => Status is >= 200 and < 300;

    public override string ToString() => $"{Status} {(Body is null ? string.Empty : Encoding.UTF8.GetString(Body))}";
}
