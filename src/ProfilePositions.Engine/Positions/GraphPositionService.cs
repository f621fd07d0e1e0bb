using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// The beta slice over Kiota: request builders for {root}/beta/{me | users/{key} | users('{upn}')}/profile/positions[/{id}]
    /// as RequestInformation, sent through the connection's request adapter; responses read leniently into the models.
    /// </summary>
    internal sealed class GraphPositionService : IProfilePositionService
    {
        private readonly IRequestAdapter _adapter;
        private readonly Uri _graphRoot;
        private readonly AuthSnapshot _auth;

        public GraphPositionService(IRequestAdapter adapter, Uri graphRoot, AuthSnapshot auth)
        {
            _adapter = adapter;
            _graphRoot = graphRoot;
            _auth = auth;
        }

        public async Task<PositionPage> ListAsync(string? userId, PositionQuery query, CancellationToken cancellationToken)
        {
            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId), ListOptions(query ?? new PositionQuery()));
            var result = await SendAsync(Method.GET, url, null, userId, null, cancellationToken).ConfigureAwait(false);
            return ReadPage(result, userId);
        }

        public async Task<PositionPage> ListNextAsync(string? userId, string nextLink, CancellationToken cancellationToken)
        {
            if (!Uri.TryCreate(nextLink, UriKind.Absolute, out var next)
                || !string.Equals(next.Scheme, _graphRoot.Scheme, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(next.Host, _graphRoot.Host, StringComparison.OrdinalIgnoreCase)
                || next.Port != _graphRoot.Port)
            {
                // The token goes with the request, so a next link may only lead back to the same Graph endpoint.
                throw new PositionInputException("NextLink", "The next-page link '" + nextLink + "' does not point to the connected Graph endpoint " + GraphPaths.Root(_graphRoot) + "; it was not followed.");
            }

            var result = await SendAsync(Method.GET, next.AbsoluteUri, null, userId, null, cancellationToken).ConfigureAwait(false);
            return ReadPage(result, userId);
        }

        public async Task<WorkPosition> GetAsync(string? userId, string positionId, IReadOnlyList<string>? select, CancellationToken cancellationToken)
        {
            var options = new List<KeyValuePair<string, string>>();
            if (select != null && select.Count > 0)
            {
                options.Add(new KeyValuePair<string, string>("$select", string.Join(",", select.Select(CanonicalPath))));
            }

            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId, positionId), options);
            var result = await SendAsync(Method.GET, url, null, userId, positionId, cancellationToken).ConfigureAwait(false);
            return PositionReader.ReadPosition(result, GraphPaths.DisplayUser(userId));
        }

        public async Task<WorkPosition> CreateAsync(string? userId, PositionBody body, CancellationToken cancellationToken)
        {
            var url = GraphPaths.PositionsUrl(_graphRoot, userId);
            var result = await SendAsync(Method.POST, url, body ?? throw new ArgumentNullException(nameof(body)), userId, null, cancellationToken).ConfigureAwait(false);
            return PositionReader.ReadPosition(result, GraphPaths.DisplayUser(userId));
        }

        public async Task<WorkPosition> UpdateAsync(string? userId, string positionId, PositionBody body, CancellationToken cancellationToken)
        {
            if (body == null || body.IsEmpty)
            {
                throw new PositionInputException("Body", "Nothing to update: give at least one property to change.");
            }

            var url = GraphPaths.PositionsUrl(_graphRoot, userId, positionId);
            var result = await SendAsync(Method.PATCH, url, body, userId, positionId, cancellationToken).ConfigureAwait(false);
            if (result == null)
            {
                // Some services answer a PATCH with 204: read the position so the caller still gets it.
                return await GetAsync(userId, positionId, null, cancellationToken).ConfigureAwait(false);
            }

            return PositionReader.ReadPosition(result, GraphPaths.DisplayUser(userId));
        }

        public async Task DeleteAsync(string? userId, string positionId, CancellationToken cancellationToken)
        {
            var url = GraphPaths.PositionsUrl(_graphRoot, userId, positionId);
            await SendAsync(Method.DELETE, url, null, userId, positionId, cancellationToken).ConfigureAwait(false);
        }

        public RequestPreview Describe(string method, string? userId, string? positionId, PositionBody? body)
        {
            var verb = (method ?? "GET").Trim().ToUpperInvariant();
            return new RequestPreview
            {
                Method = verb,
                Url = GraphPaths.PositionsUrl(_graphRoot, userId, positionId),
                Json = body == null || verb == "DELETE" || verb == "GET" ? null : body.ToJson(),
            };
        }

        internal static IEnumerable<KeyValuePair<string, string>> ListOptions(PositionQuery query)
        {
            if (!string.IsNullOrWhiteSpace(query.Filter))
            {
                yield return new KeyValuePair<string, string>("$filter", query.Filter!);
            }

            if (query.Sort != null && query.Sort.Count > 0)
            {
                yield return new KeyValuePair<string, string>("$orderby", string.Join(",", query.Sort.Select(CanonicalSort)));
            }

            if (query.Select != null && query.Select.Count > 0)
            {
                yield return new KeyValuePair<string, string>("$select", string.Join(",", query.Select.Select(CanonicalPath)));
            }

            if (query.Skip.HasValue)
            {
                yield return new KeyValuePair<string, string>("$skip", query.Skip.Value.ToString(CultureInfo.InvariantCulture));
            }

            if (query.Top.HasValue)
            {
                yield return new KeyValuePair<string, string>("$top", query.Top.Value.ToString(CultureInfo.InvariantCulture));
            }
        }

        /// <summary>"IsCurrent" -> "isCurrent", "Detail/JobTitle" -> "detail/jobTitle"; unknown names stay as given.</summary>
        internal static string CanonicalPath(string path)
        {
            var parts = path.Trim().Split('/');
            TypeSpec? type = PositionSchema.WorkPosition;
            for (var i = 0; i < parts.Length; i++)
            {
                var member = type?.Find(parts[i].Trim());
                if (member == null)
                {
                    type = null;
                    continue;
                }

                parts[i] = member.Name;
                type = member.Type;
            }

            return string.Join("/", parts);
        }

        internal static string CanonicalSort(string sort)
        {
            var trimmed = sort.Trim();
            var space = trimmed.IndexOf(' ');
            return space < 0 ? CanonicalPath(trimmed) : CanonicalPath(trimmed.Substring(0, space)) + " " + trimmed.Substring(space + 1).Trim().ToLowerInvariant();
        }

        private static PositionPage ReadPage(object? result, string? userId)
        {
            var page = new PositionPage();
            var map = result as IDictionary<string, object?>;
            var items = new List<WorkPosition>();
            if (GraphJson.Lookup(map, "value") is IList values)
            {
                foreach (var value in values)
                {
                    items.Add(PositionReader.ReadPosition(value, GraphPaths.DisplayUser(userId)));
                }
            }

            page.Items = items;
            page.NextLink = GraphJson.Lookup(map, "@odata.nextLink") as string;
            return page;
        }

        /// <summary>Sends one request and returns the response body as plain values (null for an empty body), or throws a ProfileGraphException.</summary>
        private async Task<object?> SendAsync(Method method, string url, PositionBody? body, string? userId, string? positionId, CancellationToken cancellationToken)
        {
            var clientRequestId = Guid.NewGuid().ToString();
            var request = new RequestInformation { HttpMethod = method, URI = new Uri(url) };
            request.Headers.Add("Accept", "application/json");
            request.Headers.Add("client-request-id", clientRequestId);
            if (body != null)
            {
                request.SetContentFromParsable(_adapter, "application/json", GraphJson.ToUntyped(body.Value));
            }

            var capture = new NativeResponseHandler();
            request.AddRequestOptions(new IRequestOption[] { new ResponseHandlerOption { ResponseHandler = capture } });
            try
            {
                await _adapter.SendNoContentAsync(request, null, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw Unreachable(method, url, ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionException("GraphTimeout", "Graph did not answer " + method + " " + url + " in time" + WriteOutcome(method) + ".", ex);
            }
            catch (Exception ex) when (IsCredentialFailure(ex))
            {
                throw new ConnectionException("AuthenticationRequired", "Could not get a token for Microsoft Graph: " + SecretRedactor.Redact(ex.Message) + " Run Connect-ProfileGraph again.", ex);
            }

            using var response = capture.Value as HttpResponseMessage ?? throw new InvalidOperationException("The request adapter returned no response.");
            var text = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (status < 200 || status > 299)
            {
                var failed = new FailedRequest
                {
                    Method = method.ToString(),
                    UserId = userId,
                    PositionId = positionId,
                    ClientRequestId = clientRequestId,
                    Retries = RetriesOf(response),
                };
                throw GraphErrorFactory.Create(status, text, Headers(response), failed, _auth);
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            try
            {
                return (GraphJson.Parse(text));
            }
            catch (JsonException ex)
            {
                var requestId = Headers(response).TryGetValue("request-id", out var id) ? id : null;
                throw new GraphServiceException(status, "InvalidResponse", "The response body is not valid JSON (" + ex.Message + ")", requestId, clientRequestId, null, "Check that -GraphEndpoint points to Microsoft Graph", ex);
            }
        }

        private static string WriteOutcome(Method method) =>
            method == Method.POST ? "; the position may or may not have been created: run Get-ProfilePosition to check before creating it again" : string.Empty;

        private static ConnectionException Unreachable(Method method, string url, Exception ex)
        {
            var inner = ex.InnerException?.Message;
            return new ConnectionException("GraphUnreachable", "Could not reach Microsoft Graph for " + method + " " + url + ": " + ex.Message + (inner == null ? string.Empty : " (" + inner + ")") + WriteOutcome(method) + ".", ex);
        }

        private static bool IsCredentialFailure(Exception ex)
        {
            for (var current = ex; current != null; current = current.InnerException)
            {
                if (current is Azure.Identity.AuthenticationFailedException || current is Azure.Identity.CredentialUnavailableException || current is Azure.Identity.AuthenticationRequiredException)
                {
                    return true;
                }
            }

            return false;
        }

        private static int RetriesOf(HttpResponseMessage response)
        {
            if (response.RequestMessage != null && response.RequestMessage.Headers.TryGetValues(GraphRetryHandler.RetryAttemptHeader, out var values)
                && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var retries))
            {
                return retries;
            }

            return 0;
        }

        private static Dictionary<string, string> Headers(HttpResponseMessage response)
        {
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var header in response.Headers)
            {
                headers[header.Key] = string.Join(",", header.Value);
            }

            return headers;
        }
    }
}
