using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Kiota.Abstractions;
using ProfilePositions.Engine.Batching;
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
        /// <summary>More pages than this for one user's positions means a next link that leads nowhere.</summary>
        internal const int PageCap = 1000;

        private readonly Uri _graphRoot;
        private readonly EngineEvents _events;
        private readonly OperationRunner _runner;
        private readonly CreateReconciler _creates;
        private readonly KeyedSequencer _order = new KeyedSequencer();
        private readonly BatchDispatcher? _dispatcher;
        private readonly AuthSnapshot? _signedIn;
        private ExistingPositions? _existing;

        /// <param name="dispatcher">The session's sender, released with it.</param>
        /// <param name="signedIn">Who signed in: /me, their UPN and their object id are one profile.</param>
        public GraphPositionService(Uri graphRoot, EngineEvents events, OperationRunner runner, ClaimedPositions claimed, BatchDispatcher? dispatcher = null, AuthSnapshot? signedIn = null)
        {
            _signedIn = signedIn;
            _graphRoot = graphRoot;
            _events = events;
            _runner = runner;
            _dispatcher = dispatcher;
            _creates = new CreateReconciler(runner, (userId, sink, token) => ReadAllAsync(userId, null, sink, token), claimed);
        }

        public void Dispose() => _dispatcher?.Dispose();

        public void Flush() => _dispatcher?.Flush();

        /// <summary>
        /// Whose profile an item addresses, for keeping order (writes to one position, creates for one user under
        /// -SkipExisting) and for the positions -SkipExisting compares against: /me, the signed-in UPN and object id are
        /// one key. Other users are keyed as given (an id and a UPN of one user are two keys; Graph alone knows).
        /// </summary>
        private string UserKey(string? userId)
        {
            if (GraphPaths.IsMe(userId))
            {
                return "me";
            }

            var text = userId!.Trim();
            return string.Equals(text, _signedIn?.Account, StringComparison.OrdinalIgnoreCase) || string.Equals(text, _signedIn?.ObjectId, StringComparison.OrdinalIgnoreCase) ? "me" : text;
        }

        public Task<CreateResult> CreateOrSkipAsync(string? userId, PositionBody body, CancellationToken cancellationToken)
        {
            RequireContent("POST", body);
            var existing = _existing ??= new ExistingPositions(this, _events, UserKey);
            return _order.RunAsync("create:" + UserKey(userId), async () =>
            {
                var match = await existing.FindAsync(userId, body, cancellationToken).ConfigureAwait(false);
                if (match != null)
                {
                    _events.Verbose("Position " + match.Id + " of '" + GraphPaths.DisplayUser(userId) + "' matches this item: already exists; skipped.");
                    return new CreateResult(match, skipped: true);
                }

                var created = await CreateAsync(userId, body, cancellationToken).ConfigureAwait(false);
                existing.Add(userId, created);
                return new CreateResult(created, skipped: false);
            });
        }

        public Task<WorkPosition?> FindExistingAsync(string? userId, PositionBody body, CancellationToken cancellationToken)
        {
            var existing = _existing ??= new ExistingPositions(this, _events, UserKey);
            return _order.RunAsync("create:" + UserKey(userId), () => existing.FindAsync(userId, body, cancellationToken));
        }

        public async Task<PositionPage> ListAsync(string? userId, PositionQuery query, CancellationToken cancellationToken)
        {
            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId), ListOptions(query ?? new PositionQuery()));
            var result = await _runner.RunAsync(new PositionRequest(Method.GET, url, null, userId, null), _events, cancellationToken).ConfigureAwait(false);
            return PositionResponses.ReadPage(result, userId);
        }

        public async Task<PositionListing> ReadListingAsync(string? userId, PositionQuery query, int? top, bool all, CancellationToken cancellationToken)
        {
            if (all && !top.HasValue)
            {
                return new PositionListing(await ReadAllAsync(userId, query, _events, cancellationToken).ConfigureAwait(false), moreExist: false);
            }

            var items = new List<WorkPosition>();
            var first = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId), ListOptions(query));
            var page = await ListAsync(userId, query, cancellationToken).ConfigureAwait(false);
            var followed = new HashSet<string>(StringComparer.Ordinal) { first };
            while (true)
            {
                foreach (var position in page.Items)
                {
                    if (top.HasValue && items.Count >= top.Value)
                    {
                        return new PositionListing(items, moreExist: false);
                    }

                    items.Add(position);
                }

                if (string.IsNullOrEmpty(page.NextLink) || (top.HasValue && items.Count >= top.Value))
                {
                    return new PositionListing(items, moreExist: false);
                }

                if (!top.HasValue)
                {
                    return new PositionListing(items, moreExist: true);
                }

                if (!followed.Add(page.NextLink!) || followed.Count > PageCap)
                {
                    throw new GraphPagingException(GraphPaths.DisplayUser(userId), page.NextLink!, followed.Count, items.Count);
                }

                page = await ListNextAsync(userId, page.NextLink!, _events, cancellationToken).ConfigureAwait(false);
            }
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
            var followed = new HashSet<string>(StringComparer.Ordinal) { url };
            while (!string.IsNullOrEmpty(page.NextLink))
            {
                // A next link that repeats, or pages without end, would read forever and never write anything.
                if (!followed.Add(page.NextLink!) || followed.Count > PageCap)
                {
                    throw new GraphPagingException(GraphPaths.DisplayUser(userId), page.NextLink!, followed.Count, all.Count);
                }

                page = await ListNextAsync(userId, page.NextLink!, events, cancellationToken).ConfigureAwait(false);
                all.AddRange(page.Items);
            }

            return all;
        }

        public async Task<WorkPosition> UpdateAsync(string? userId, string positionId, PositionBody body, CancellationToken cancellationToken)
        {
            RequireContent("PATCH", body);

            var url = GraphPaths.PositionsUrl(_graphRoot, userId, positionId);
            var result = await _order.RunAsync(UserKey(userId) + "|" + positionId, () => _runner.RunAsync(new PositionRequest(Method.PATCH, url, body, userId, positionId), _events, cancellationToken)).ConfigureAwait(false);
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
            await _order.RunAsync(UserKey(userId) + "|" + positionId, () => _runner.RunAsync(new PositionRequest(Method.DELETE, url, null, userId, positionId), _events, cancellationToken)).ConfigureAwait(false);
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
