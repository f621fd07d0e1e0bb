using ProfilePositions.Sandbox.Graph;

namespace ProfilePositions.Sandbox.Batch;

/// <summary>One entry of a <c>$batch</c> envelope's <c>requests</c> array, as parsed.</summary>
internal sealed record BatchItem(string Id, string Method, string Url, Dictionary<string, string> Headers, byte[] Body, List<string> DependsOn)
{
    public GraphRequest ToRequest(GraphRequest envelope)
    {
        var question = Url.IndexOf('?');
        var path = question < 0 ? Url : Url[..question];
        return new GraphRequest
        {
            Method = Method,
            RawPath = "/beta/" + path.TrimStart('/'),
            RawQuery = question < 0 ? null : Url[(question + 1)..],
            ContentType = Headers.GetValueOrDefault("Content-Type"),
            Body = Body,
            Authorization = envelope.Authorization,
            RequestId = Guid.NewGuid().ToString(),
            ClientRequestId = Headers.GetValueOrDefault("client-request-id") ?? envelope.ClientRequestId,
            SentClientRequestId = Headers.GetValueOrDefault("client-request-id") ?? envelope.SentClientRequestId,
            RetryAttempt = int.TryParse(Headers.GetValueOrDefault("Retry-Attempt"), out var attempt) ? attempt : envelope.RetryAttempt,
            BaseAddress = envelope.BaseAddress,
        };
    }
}
