using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using ProfilePositions.Engine.Connection;
using ProfilePositions.Engine.Errors;
using ProfilePositions.Engine.Http;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// The beta slice for one command: {root}/beta/{me | users/{key} | users('{upn}')}/profile/positions[/{id}]. Each
    /// operation is a <see cref="PositionRequest"/>, sent by the session's sender (plain requests or $batch items) and
    /// run to its end by <see cref="OperationRunner"/> or, for a create, <see cref="CreateReconciler"/>; answers are read
    /// leniently into the models. What the command should hear goes to its <see cref="EngineEvents"/>.
    /// </summary>
    internal sealed class GraphPositionService : IProfilePositionService
    {
        private readonly Uri _graphRoot;
        private readonly EngineEvents _events;
        private readonly OperationRunner _runner;
        private readonly CreateReconciler _creates;

        public GraphPositionService(Uri graphRoot, EngineEvents events, OperationRunner runner, ClaimedPositions claimed)
        {
            _graphRoot = graphRoot;
            _events = events;
            _runner = runner;
            _creates = new CreateReconciler(runner, (userId, sink, token) => ReadAllAsync(userId, null, sink, token), claimed);
        }

        public async Task<PositionPage> ListAsync(string? userId, PositionQuery query, CancellationToken cancellationToken)
        {
            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId), ListOptions(query ?? new PositionQuery()));
            var result = await _runner.RunAsync(new PositionRequest(Method.GET, url, null, userId, null), _events, cancellationToken).ConfigureAwait(false);
            return PositionResponses.ReadPage(result, userId);
        }

        public Task<PositionPage> ListNextAsync(string? userId, string nextLink, CancellationToken cancellationToken) =>
            ListNextAsync(userId, nextLink, _events, cancellationToken);

        private async Task<PositionPage> ListNextAsync(string? userId, string nextLink, EngineEvents events, CancellationToken cancellationToken)
        {
            if (!Uri.TryCreate(nextLink, UriKind.Absolute, out var next)
                || !string.Equals(next.Scheme, _graphRoot.Scheme, StringComparison.OrdinalIgnoreCase)
                || !string.Equals(next.Host, _graphRoot.Host, StringComparison.OrdinalIgnoreCase)
                || next.Port != _graphRoot.Port)
            {
                // The token goes with the request, so a next link may only lead back to the same Graph endpoint.
                throw new PositionInputException("NextLink", "The next-page link '" + nextLink + "' does not point to the connected Graph endpoint " + GraphPaths.Root(_graphRoot) + "; it was not followed.");
            }

            var result = await _runner.RunAsync(new PositionRequest(Method.GET, next.AbsoluteUri, null, userId, null), events, cancellationToken).ConfigureAwait(false);
            return PositionResponses.ReadPage(result, userId);
        }

        public async Task<WorkPosition> GetAsync(string? userId, string positionId, IReadOnlyList<string>? select, CancellationToken cancellationToken)
        {
            var options = new List<KeyValuePair<string, string>>();
            if (select != null && select.Count > 0)
            {
                options.Add(new KeyValuePair<string, string>("$select", string.Join(",", select.Select(CanonicalPath))));
            }

            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId, positionId), options);
            var result = await _runner.RunAsync(new PositionRequest(Method.GET, url, null, userId, positionId), _events, cancellationToken).ConfigureAwait(false);
            return PositionResponses.ReadPosition(result, userId);
        }

        public Task<WorkPosition> CreateAsync(string? userId, PositionBody body, CancellationToken cancellationToken)
        {
            RequireContent("POST", body);
            return _creates.CreateAsync(new PositionRequest(Method.POST, GraphPaths.PositionsUrl(_graphRoot, userId), body, userId, null), _events, cancellationToken);
        }

        public Task<IReadOnlyList<WorkPosition>> ListAllAsync(string? userId, PositionQuery? query, CancellationToken cancellationToken) =>
            ReadAllAsync(userId, query, _events, cancellationToken);

        private async Task<IReadOnlyList<WorkPosition>> ReadAllAsync(string? userId, PositionQuery? query, EngineEvents events, CancellationToken cancellationToken)
        {
            var all = new List<WorkPosition>();
            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId), ListOptions(query ?? new PositionQuery()));
            var first = await _runner.RunAsync(new PositionRequest(Method.GET, url, null, userId, null), events, cancellationToken).ConfigureAwait(false);
            var page = PositionResponses.ReadPage(first, userId);
            all.AddRange(page.Items);
            while (!string.IsNullOrEmpty(page.NextLink))
            {
                page = await ListNextAsync(userId, page.NextLink!, events, cancellationToken).ConfigureAwait(false);
                all.AddRange(page.Items);
            }

            return all;
        }

        public async Task<WorkPosition> UpdateAsync(string? userId, string positionId, PositionBody body, CancellationToken cancellationToken)
        {
            RequireContent("PATCH", body);

            var url = GraphPaths.PositionsUrl(_graphRoot, userId, positionId);
            var result = await _runner.RunAsync(new PositionRequest(Method.PATCH, url, body, userId, positionId), _events, cancellationToken).ConfigureAwait(false);
            if (result == null)
            {
                // Some services answer a PATCH with 204: read the position so the caller still gets it.
                return await GetAsync(userId, positionId, null, cancellationToken).ConfigureAwait(false);
            }

            return PositionResponses.ReadPosition(result, userId);
        }

        public async Task DeleteAsync(string? userId, string positionId, CancellationToken cancellationToken)
        {
            var url = GraphPaths.PositionsUrl(_graphRoot, userId, positionId);
            await _runner.RunAsync(new PositionRequest(Method.DELETE, url, null, userId, positionId), _events, cancellationToken).ConfigureAwait(false);
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
    }
}
