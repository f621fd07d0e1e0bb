using System;
using System.Collections;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;
using ProfilePositions.Engine.Connection;
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
        private readonly GraphRetryHandler _retry;
        private readonly SecretRedactor _redactor;

        // Ids this connection created or reconciled: an unknown create never claims a position that belongs to another item.
        private readonly ConcurrentDictionary<string, bool> _claimed = new ConcurrentDictionary<string, bool>(StringComparer.Ordinal);

        public GraphPositionService(IRequestAdapter adapter, Uri graphRoot, AuthSnapshot auth, GraphRetryHandler retry, SecretRedactor redactor)
        {
            _redactor = redactor;
            _adapter = adapter;
            _graphRoot = graphRoot;
            _auth = auth;
            _retry = retry;
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
            RequireContent("POST", body);

            var url = GraphPaths.PositionsUrl(_graphRoot, userId);
            var user = GraphPaths.DisplayUser(userId);
            var reconciler = new CreateReconciler(this, userId, body, DateTimeOffset.UtcNow, _claimed.ContainsKey);
            for (var attempt = 1; ; attempt++)
            {
                ProfileGraphException unknown;
                try
                {
                    var result = await SendAsync(Method.POST, url, body, userId, null, cancellationToken).ConfigureAwait(false);
                    return Claim(PositionReader.ReadPosition(result, user));
                }
                catch (ProfileGraphException ex) when (IsUnknownOutcome(ex))
                {
                    unknown = ex;
                }

                // The create may have been committed before the failure, or may still be committing: wait first (so a
                // late commit has landed), then read, and send it again only when it is not there.
                var retryAfter = RetryAfterOf(unknown);
                var delay = _retry.RetryDelay(retryAfter, attempt);
                var mayRetry = attempt <= _retry.MaxRetries && delay <= _retry.MaxDelay;
                if (mayRetry)
                {
                    Log("POST " + url + " (attempt " + attempt + "): outcome unknown (" + Describe(unknown) + "); waiting " + delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " s, then reading the positions of '" + user + "' to check whether it was created.");
                    await _retry.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    Log("POST " + url + " (attempt " + attempt + "): outcome unknown (" + Describe(unknown) + "); reading the positions of '" + user + "' to check whether it was created.");
                }

                WorkPosition? found;
                try
                {
                    found = await reconciler.FindCreatedAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (ProfileGraphException readFailure)
                {
                    throw GaveUp(unknown, attempt, "the positions could not be read to check whether it was created (" + readFailure.Message + "), so the position may or may not exist now: run Get-ProfilePosition to check before creating it again");
                }

                if (found != null)
                {
                    Log("POST " + url + ": found the created position " + found.Id + " among " + reconciler.LastReadCount + " position(s); it is the result, the create is not sent again.");
                    found.UserId = user;
                    return Claim(found);
                }

                if (attempt > _retry.MaxRetries)
                {
                    throw GaveUp(unknown, attempt, "the positions were read after each attempt and none matches, so nothing was created; run the command again later");
                }

                if (delay > _retry.MaxDelay)
                {
                    throw GaveUp(unknown, attempt, "the positions were read and none matches, so nothing was created; Graph asked to wait " + delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) + " seconds: run the command again after that");
                }

                Log("POST " + url + ": not created (no matching new position among " + reconciler.LastReadCount + "); sending it again (attempt " + (attempt + 1) + " of " + (_retry.MaxRetries + 1) + ").");
            }
        }

        private void Log(string line) => EngineLog.Write(_redactor.Redact(line));

        private static void RequireContent(string method, PositionBody? body)
        {
            if (body == null || body.IsEmpty)
            {
                throw new PositionInputException(
                    "Body",
                    string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase)
                        ? "Nothing to create: give at least one property, for example -JobTitle or -CompanyName."
                        : "Nothing to update: give at least one property to change, for example -JobTitle, or -BodyParameter.",
                    "PositionBodyEmpty");
            }
        }

        public async Task<IReadOnlyList<WorkPosition>> ListAllAsync(string? userId, PositionQuery? query, CancellationToken cancellationToken)
        {
            var all = new List<WorkPosition>();
            var page = await ListAsync(userId, query ?? new PositionQuery(), cancellationToken).ConfigureAwait(false);
            all.AddRange(page.Items);
            while (!string.IsNullOrEmpty(page.NextLink))
            {
                page = await ListNextAsync(userId, page.NextLink!, cancellationToken).ConfigureAwait(false);
                all.AddRange(page.Items);
            }

            return all;
        }

        private WorkPosition Claim(WorkPosition position)
        {
            if (position.Id != null)
            {
                _claimed[position.Id] = true;
            }

            return position;
        }

        /// <summary>
        /// A create whose outcome is unknown: a server error that may follow a commit (5xx but 501 Not Implemented and
        /// 505 HTTP Version Not Supported), a dropped or reset connection, a response cut off, a timeout. 4xx means
        /// the create was refused; 429 is retried by the retry handler.
        /// </summary>
        internal static bool IsUnknownOutcome(ProfileGraphException exception)
        {
            switch (exception)
            {
                case GraphServiceException service:
                    return service.StatusCode >= 500 && service.StatusCode <= 599 && service.StatusCode != 501 && service.StatusCode != 505;
                case ConnectionException connection:
                    return connection.ErrorId == UnreachableErrorId || connection.ErrorId == TimeoutErrorId || connection.ErrorId == CutOffErrorId;
                default:
                    return false;
            }
        }

        private static string Describe(ProfileGraphException exception) =>
            exception is GraphServiceException service ? service.StatusCode.ToString(CultureInfo.InvariantCulture) + " " + service.Code : exception.ErrorId + ": " + exception.Message;

        private static double? RetryAfterOf(ProfileGraphException exception) =>
            GraphRetryHandler.RetryAfterSeconds(exception.Data[RetryAfterKey] as string);

        private static ProfileGraphException GaveUp(ProfileGraphException last, int attempts, string outcome)
        {
            var what = "The create was sent " + attempts + (attempts == 1 ? " time" : " times") + " and its outcome was unknown each time; " + outcome;
            if (last is GraphServiceException service)
            {
                return new GraphServiceException(service.StatusCode, service.Code, service.GraphMessage, service.RequestId, service.ClientRequestId, service.Date, what, service);
            }

            return new ConnectionException(last.ErrorId, last.Message + " " + what + ".", last);
        }

        public async Task<WorkPosition> UpdateAsync(string? userId, string positionId, PositionBody body, CancellationToken cancellationToken)
        {
            RequireContent("PATCH", body);

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
            if (string.Equals(method, "POST", StringComparison.OrdinalIgnoreCase) || string.Equals(method, "PATCH", StringComparison.OrdinalIgnoreCase))
            {
                // Checked here too, so -WhatIf and -Confirm never offer an empty write.
                RequireContent(method, body);
            }

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
            catch (IOException ex)
            {
                throw Unreachable(method, url, ex);
            }
            catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
            {
                throw new ConnectionException(TimeoutErrorId, "Graph did not answer " + method + " " + url + " in time" + ".", ex);
            }
            catch (Exception ex) when (IsCredentialFailure(ex))
            {
                throw new ConnectionException("AuthenticationRequired", "Could not get a token for Microsoft Graph: " + _redactor.Redact(ex.Message) + " Run Connect-ProfileGraph again.", ex);
            }

            using var response = capture.Value as HttpResponseMessage ?? throw new InvalidOperationException("The request adapter returned no response.");
            var status = (int)response.StatusCode;
            string text;
            try
            {
                text = response.Content == null ? string.Empty : await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException || ex is IOException)
            {
                throw new ConnectionException(CutOffErrorId, "The response to " + method + " " + url + " (status " + status.ToString(CultureInfo.InvariantCulture) + ") was cut off: " + ex.Message + ".", ex);
            }

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
                var headers = Headers(response);
                var error = GraphErrorFactory.Create(status, text, headers, failed, _auth, _redactor);
                if (headers.TryGetValue("Retry-After", out var retryAfter))
                {
                    // Kept for a create whose outcome is unknown: it waits this long before sending again.
                    error.Data[RetryAfterKey] = retryAfter;
                }

                throw error;
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

        private const string UnreachableErrorId = "GraphUnreachable";
        private const string TimeoutErrorId = "GraphTimeout";
        private const string CutOffErrorId = "ResponseCutOff";
        private const string RetryAfterKey = "Retry-After";

        private static ConnectionException Unreachable(Method method, string url, Exception ex)
        {
            var inner = ex.InnerException?.Message;
            return new ConnectionException(UnreachableErrorId, "Could not reach Microsoft Graph for " + method + " " + url + ": " + ex.Message + (inner == null ? string.Empty : " (" + inner + ")") + ".", ex);
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
