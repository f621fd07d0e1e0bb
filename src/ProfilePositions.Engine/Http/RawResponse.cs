using System;
using System.Collections.Generic;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// One answer as the response reader takes it, whether it came as a plain HTTP response or as an item of a $batch
    /// envelope: status, headers (case-insensitive) and body text.
    /// </summary>
    internal sealed class RawResponse
    {
        public RawResponse(int status, IReadOnlyDictionary<string, string> headers, string body)
        {
            Status = status;
            Headers = headers;
            Body = body ?? string.Empty;
        }

        public int Status { get; }

        public IReadOnlyDictionary<string, string> Headers { get; }

        public string Body { get; }

        public bool IsSuccess => Status >= 200 && Status <= 299;

        public string? Header(string name)
        {
            foreach (var pair in Headers)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase) && pair.Value.Length > 0)
                {
                    return pair.Value;
                }
            }

            return null;
        }

        public static Dictionary<string, string> NewHeaders() => new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
    }
}
