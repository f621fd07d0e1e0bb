using System;
using System.Collections.Generic;
using System.Globalization;
using Microsoft.Kiota.Abstractions;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// One operation to send (a read, a create, an update, a delete), built the same way whether it goes out as a plain
    /// request or as a step of a $batch envelope: the builder of its Kiota RequestInformation lives here, and every
    /// attempt carries the same client-request-id.
    /// </summary>
    internal sealed class PositionRequest
    {
        public PositionRequest(Method method, string url, PositionBody? body, string? userId, string? positionId)
        {
            Method = method;
            Url = url;
            Body = body;
            UserId = userId;
            PositionId = positionId;
        }

        public Method Method { get; }

        public string Url { get; }

        public PositionBody? Body { get; }

        /// <summary>Whose profile (null: /me).</summary>
        public string? UserId { get; }

        public string? PositionId { get; }

        /// <summary>Extra request headers (-Headers), added to the item itself, never to a $batch envelope; they replace ours of the same name.</summary>
        public IReadOnlyDictionary<string, string>? Headers { get; set; }

        /// <summary>Where the headers of this operation's answer go (-ResponseHeadersVariable), or null.</summary>
        public ResponseNotes? Notes { get; set; }

        /// <summary>Sent with every attempt, so Graph's logs tie the attempts of one operation together.</summary>
        public string ClientRequestId { get; } = Guid.NewGuid().ToString();

        public bool IsCreate => Method == Method.POST;

        public override string ToString() => Method + " " + Url;

        /// <summary>"POST https://... (client-request-id ...)": how verbose lines name the operation, so each can be found in Graph's logs.</summary>
        public string Logged => ToString() + " (client-request-id " + ClientRequestId + ")";

        /// <summary>The Kiota request for one attempt (1 for the first); retries say which retry they are.</summary>
        /// <param name="uri">The address to build it with instead of <see cref="Url"/> (a $batch step's), so it is parsed once.</param>
        public RequestInformation Build(IRequestAdapter adapter, int attempt, EngineEvents events, Uri? uri = null)
        {
            var request = new RequestInformation { HttpMethod = Method, URI = uri ?? new Uri(Url) };
            request.Headers.Add("Accept", "application/json");
            request.Headers.Add("client-request-id", ClientRequestId);
            if (attempt > 1)
            {
                request.Headers.Add(GraphLoggingHandler.RetryAttemptHeader, (attempt - 1).ToString(CultureInfo.InvariantCulture));
            }

            if (Headers != null)
            {
                foreach (var header in Headers)
                {
                    request.Headers.Remove(header.Key);
                    request.Headers.Add(header.Key, header.Value);
                }
            }

            if (Body != null)
            {
                request.SetContentFromParsable(adapter, "application/json", GraphJson.ToUntyped(Body.Value));
            }

            request.AddRequestOptions(new IRequestOption[] { new EngineEventsOption(events) });
            return request;
        }
    }
}
