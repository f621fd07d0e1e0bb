using System.Collections;
using System.Collections.Generic;
using System.Text.Json;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// Reads what Graph answered to one operation, the same way for a plain response and a $batch item: the body as plain
    /// values, a page of positions, or Graph's error with the hint for it.
    /// </summary>
    internal sealed class PositionResponses
    {
        private readonly AuthSnapshot _auth;
        private readonly SecretRedactor _redactor;

        public PositionResponses(AuthSnapshot auth, SecretRedactor redactor)
        {
            _auth = auth;
            _redactor = redactor;
        }

        /// <summary>The body of a successful answer as plain values (null when empty); Graph's error otherwise.</summary>
        public object? Read(PositionRequest request, RawResponse response, int retries, bool earlierAttemptMayHaveRun = false)
        {
            if (!response.IsSuccess)
            {
                var error = Error(request, response, retries, earlierAttemptMayHaveRun);
                // A 403 the preflight proves is a missing scope (the token's scopes were not known when it was sent, or
                // changed since) stops the run like the preflight's own refusal; any other 403 is about this item.
                if (response.Status == 403 && ScopePreflight.Refusal(_auth, request.Method != Microsoft.Kiota.Abstractions.Method.GET, request.UserId, error) is { } missing)
                {
                    throw missing;
                }

                throw error;
            }

            request.Notes?.Record(response.Headers);

            if (string.IsNullOrWhiteSpace(response.Body))
            {
                return null;
            }

            try
            {
                return GraphJson.Parse(response.Body);
            }
            catch (JsonException ex)
            {
                throw InvalidJson(request, response, ex);
            }
        }

        /// <summary>
        /// What <see cref="ReadPosition"/> of <see cref="Read"/> gives, read straight from the parsed body into the model
        /// (no plain dictionaries in between): the answer to a create, one per row of a bulk run.
        /// </summary>
        public WorkPosition ReadPositionAnswer(PositionRequest request, RawResponse response, int retries, string? userId)
        {
            if (!response.IsSuccess)
            {
                throw Error(request, response, retries);
            }

            request.Notes?.Record(response.Headers);

            if (!response.HasContent)
            {
                return ReadPosition(null, userId);
            }

            JsonDocument document;
            try
            {
                document = response.HasUtf8Body ? JsonDocument.Parse(response.Utf8Body) : JsonDocument.Parse(response.Body);
            }
            catch (JsonException ex)
            {
                throw InvalidJson(request, response, ex);
            }

            using (document)
            {
                return PositionReader.ReadPosition(document.RootElement, GraphPaths.DisplayUser(userId));
            }
        }

        private static GraphServiceException InvalidJson(PositionRequest request, RawResponse response, JsonException ex) =>
            new GraphServiceException(response.Status, "InvalidResponse", "The response body is not valid JSON (" + ex.Message + ")", response.Header("request-id"), request.ClientRequestId, null, "Check that -GraphEndpoint points to Microsoft Graph", ex);

        /// <summary>Graph's error for a failed answer: status, code, message, request-id and a hint.</summary>
        public GraphServiceException Error(PositionRequest request, RawResponse response, int retries, bool earlierAttemptMayHaveRun = false)
        {
            var failed = new FailedRequest
            {
                Method = request.Method.ToString(),
                UserId = request.UserId,
                PositionId = request.PositionId,
                ClientRequestId = request.ClientRequestId,
                Retries = retries,
                EarlierAttemptMayHaveRun = earlierAttemptMayHaveRun,
            };
            return GraphErrorFactory.Create(response.Status, response.Body, response.Headers, failed, _auth, _redactor);
        }

        public static WorkPosition ReadPosition(object? neutral, string? userId) => PositionReader.ReadPosition(neutral, GraphPaths.DisplayUser(userId));

        public static PositionPage ReadPage(object? neutral, string? userId)
        {
            var map = neutral as IDictionary<string, object?>;
            var items = new List<WorkPosition>();
            if (GraphJson.Lookup(map, "value") is IList values)
            {
                foreach (var value in values)
                {
                    items.Add(ReadPosition(value, userId));
                }
            }

            return new PositionPage { Items = items, NextLink = GraphJson.Lookup(map, "@odata.nextLink") as string, Count = ReadCount(GraphJson.Lookup(map, "@odata.count")) };
        }

        /// <summary>@odata.count as a number; leniently also as text, as some services write large numbers.</summary>
        private static long? ReadCount(object? value)
        {
            switch (value)
            {
                case int number:
                    return number;
                case long number:
                    return number;
                case string text when long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed):
                    return parsed;
                default:
                    return null;
            }
        }
    }
}
