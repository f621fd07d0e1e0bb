using System.Text.Json;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>Graph's error body: <c>{"error":{"code","message","innerError":{"request-id","date","client-request-id"}}}</c>.</summary>
internal static class ODataErrors
{
    public const string InvalidRequestMessage = "Invalid request";

    public static GraphResponse Create(int status, string code, string message, string requestId, string clientRequestId, string? innerCode = null)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, SandboxJson.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteStartObject("innerError");
            if (innerCode is not null)
            {
                writer.WriteString("code", innerCode);
                writer.WriteString("status", innerCode);
            }

            writer.WriteString("date", SandboxJson.FormatErrorDate(DateTime.UtcNow));
            writer.WriteString("request-id", requestId);
            writer.WriteString("client-request-id", clientRequestId);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return new GraphResponse(status, buffer.WrittenSpan.ToArray());
    }

    public static GraphResponse Create(int status, string code, string message, GraphRequest request, string? innerCode = null) =>
        Create(status, code, message, request.RequestId, request.ClientRequestId, innerCode);

    public static GraphResponse BadRequest(string message, GraphRequest request) => Create(400, "BadRequest", message, request);

    public static GraphResponse InvalidRequest(GraphRequest request) => Create(404, "BadRequest", InvalidRequestMessage, request);

    public static GraphResponse MethodNotAllowed(GraphRequest request) =>
        Create(405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.", request);

    public static GraphResponse UserNotFound(string key, GraphRequest request) =>
        Create(404, "Request_ResourceNotFound", $"Resource '{key}' does not exist or one of its queried reference-property objects are not present.", request);

    public static GraphResponse PositionNotFound(string id, GraphRequest request) =>
        Create(404, "itemNotFound", $"The requested workPosition '{id}' was not found.", request);

    /// <summary>Code and default message Graph uses for each injectable status.</summary>
    public static (string Code, string Message) ForStatus(int status) => status switch
    {
        429 => ("TooManyRequests", "Please retry again later."),
        500 => ("generalException", "An unexpected error occurred."),
        502 => ("badGateway", "The server, while acting as a proxy, received a bad response from the upstream server."),
        503 => ("serviceNotAvailable", "The service is temporarily unavailable. Please retry later."),
        504 => ("gatewayTimeout", "The server, while acting as a proxy, did not receive a timely response from the upstream server."),
        507 => ("insufficientStorage", "The maximum storage quota has been reached."),
        509 => ("bandwidthLimitExceeded", "The bandwidth cap has been reached. Please retry later."),
        _ => ("generalException", $"The service returned status {status}."),
    };
}
