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
        private readonly Lazy<ExistingPositions> _existing;
        private readonly IReadOnlyDictionary<string, string>? _headers;
        private readonly ResponseNotes? _notes;
        private readonly bool _isView;

        /// <param name="dispatcher">The session's sender, released with it.</param>
        /// <param name="signedIn">Who signed in: /me, their UPN and their object id are one profile.</param>
        /// <param name="headers">Extra headers for every request of the session's operations (-Headers).</param>
        public GraphPositionService(Uri graphRoot, EngineEvents events, OperationRunner runner, ClaimedPositions claimed, BatchDispatcher? dispatcher = null, AuthSnapshot? signedIn = null, IReadOnlyDictionary<string, string>? headers = null)
        {
            _signedIn = signedIn;
            _graphRoot = graphRoot;
            _events = events;
            _runner = runner;
            _dispatcher = dispatcher;
            _headers = headers;
            _creates = new CreateReconciler(runner, (userId, sink, token) => ReadAllAsync(userId, null, sink, token), claimed);
            _existing = new Lazy<ExistingPositions>(() => new ExistingPositions(this, _events, UserKey));
        }

        /// <summary>The same session (sender, order, positions read for -SkipExisting) whose requests note their answers' headers.</summary>
        private GraphPositionService(GraphPositionService session, ResponseNotes notes)
        {
            _signedIn = session._signedIn;
            _graphRoot = session._graphRoot;
            _events = session._events;
            _runner = session._runner;
            _dispatcher = session._dispatcher;
            _headers = session._headers;
            _creates = session._creates;
            _existing = session._existing;
            _order = session._order;
            _notes = notes;
            _isView = true;
        }

        public IProfilePositionService WithNotes(ResponseNotes notes) => new GraphPositionService(this, notes);

        public void Dispose()
        {
            if (!_isView)
            {
                _dispatcher?.Dispose();
            }
        }

        /// <summary>Every operation's request is made here, so that each carries the session's headers and this view's notes.</summary>
        private PositionRequest Request(Method method, string url, PositionBody? body, string? userId, string? positionId) =>
            new PositionRequest(method, url, body, userId, positionId) { Headers = _headers, Notes = _notes };

        public void Flush() => _dispatcher?.Flush();

        public MissingScopeException? Preflight(bool write, string? userId) => ScopePreflight.Refusal(_signedIn, write, userId);

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
            var existing = _existing.Value;
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
            var existing = _existing.Value;
            return _order.RunAsync("create:" + UserKey(userId), () => existing.FindAsync(userId, body, cancellationToken));
        }

        public async Task<PositionPage> ListAsync(string? userId, PositionQuery query, CancellationToken cancellationToken)
        {
            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId), ListOptions(query ?? new PositionQuery()));
            var result = await _runner.RunAsync(Request(Method.GET, url, null, userId, null), _events, cancellationToken).ConfigureAwait(false);
            return PositionResponses.ReadPage(result, userId);
        }

        public async Task<PositionListing> ReadListingAsync(string? userId, PositionQuery query, int? top, bool all, CancellationToken cancellationToken)
        {
            if (query.PageSize.HasValue)
            {
                return await ReadInPagesAsync(userId, query, query.PageSize.Value, top, all, cancellationToken).ConfigureAwait(false);
            }

            if (all && !top.HasValue)
            {
                return await ReadAllPagesAsync(userId, query, _events, cancellationToken).ConfigureAwait(false);
            }

            var items = new List<WorkPosition>();
            var first = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId), ListOptions(query));
            var page = await ListAsync(userId, query, cancellationToken).ConfigureAwait(false);
            var count = page.Count;
            var followed = new HashSet<string>(StringComparer.Ordinal) { first };
            while (true)
            {
                foreach (var position in page.Items)
                {
                    if (top.HasValue && items.Count >= top.Value)
                    {
                        return new PositionListing(items, moreExist: false, count);
                    }

                    items.Add(position);
                }

                if (string.IsNullOrEmpty(page.NextLink) || (top.HasValue && items.Count >= top.Value))
                {
                    return new PositionListing(items, moreExist: false, count);
                }

                if (!top.HasValue)
                {
                    return new PositionListing(items, moreExist: true, count);
                }

                if (!followed.Add(page.NextLink!) || followed.Count > PageCap)
                {
                    throw new GraphPagingException(GraphPaths.DisplayUser(userId), page.NextLink!, followed.Count, items.Count);
                }

                page = await ListNextAsync(userId, page.NextLink!, _events, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// -PageSize: each request asks for pageSize positions ($top) and its next links are followed. Whether Graph takes
        /// $top as a page size (and links the next page) or as a total (and stops) is not documented for this API, so a
        /// request whose pages brought exactly what it asked for, with no link after them, is followed by one that skips
        /// what was read ($skip).
        /// </summary>
        private async Task<PositionListing> ReadInPagesAsync(string? userId, PositionQuery query, int pageSize, int? top, bool all, CancellationToken cancellationToken)
        {
            var items = new List<WorkPosition>();
            var skip = query.Skip ?? 0;
            long? count = null;
            var followed = new HashSet<string>(StringComparer.Ordinal);
            for (var request = 0; ; request++)
            {
                if (request > PageCap)
                {
                    throw new GraphPagingException(GraphPaths.DisplayUser(userId), "$skip=" + skip.ToString(CultureInfo.InvariantCulture), request, items.Count);
                }

                var asked = top.HasValue ? Math.Min(pageSize, top.Value - items.Count) : pageSize;
                var page = await ListAsync(userId, query.With(asked, request == 0 ? query.Skip : skip), cancellationToken).ConfigureAwait(false);
                count ??= page.Count;
                var brought = 0;
                while (true)
                {
                    foreach (var position in page.Items)
                    {
                        if (top.HasValue && items.Count >= top.Value)
                        {
                            return new PositionListing(items, moreExist: false, count);
                        }

                        items.Add(position);
                        brought++;
                    }

                    if (top.HasValue && items.Count >= top.Value)
                    {
                        return new PositionListing(items, moreExist: false, count);
                    }

                    if (string.IsNullOrEmpty(page.NextLink))
                    {
                        break;
                    }

                    if (!all && !top.HasValue)
                    {
                        return new PositionListing(items, moreExist: true, count);
                    }

                    if (!followed.Add(page.NextLink!) || followed.Count > PageCap)
                    {
                        throw new GraphPagingException(GraphPaths.DisplayUser(userId), page.NextLink!, followed.Count, items.Count);
                    }

                    page = await ListNextAsync(userId, page.NextLink!, _events, cancellationToken).ConfigureAwait(false);
                }

                if (brought != asked || (!all && !top.HasValue))
                {
                    return new PositionListing(items, moreExist: false, count);
                }

                skip += brought;
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

            var result = await _runner.RunAsync(Request(Method.GET, next.AbsoluteUri, null, userId, null), events, cancellationToken).ConfigureAwait(false);
            return PositionResponses.ReadPage(result, userId);
        }

        public Task<WorkPosition> GetAsync(string? userId, string positionId, IReadOnlyList<string>? select, CancellationToken cancellationToken) =>
            GetOneAsync(userId, positionId, new PositionQuery { Select = select }, cancellationToken);

        public async Task<WorkPosition> GetOneAsync(string? userId, string positionId, PositionQuery query, CancellationToken cancellationToken)
        {
            // One position takes $select and $expand only; the other options belong to lists.
            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId, positionId), ListOptions(new PositionQuery { Select = query.Select, Expand = query.Expand }));
            var result = await _runner.RunAsync(Request(Method.GET, url, null, userId, positionId), _events, cancellationToken).ConfigureAwait(false);
            return PositionResponses.ReadPosition(result, userId);
        }

        public Task<WorkPosition> CreateAsync(string? userId, PositionBody body, CancellationToken cancellationToken)
        {
            RequireContent("POST", body);
            return _creates.CreateAsync(Request(Method.POST, GraphPaths.PositionsUrl(_graphRoot, userId), body, userId, null), _events, cancellationToken);
        }

        public Task<IReadOnlyList<WorkPosition>> ListAllAsync(string? userId, PositionQuery? query, CancellationToken cancellationToken) =>
            ReadAllAsync(userId, query, _events, cancellationToken);

        private async Task<IReadOnlyList<WorkPosition>> ReadAllAsync(string? userId, PositionQuery? query, EngineEvents events, CancellationToken cancellationToken) =>
            (await ReadAllPagesAsync(userId, query, events, cancellationToken).ConfigureAwait(false)).Items;

        private async Task<PositionListing> ReadAllPagesAsync(string? userId, PositionQuery? query, EngineEvents events, CancellationToken cancellationToken)
        {
            var all = new List<WorkPosition>();
            var url = GraphPaths.WithQuery(GraphPaths.PositionsUrl(_graphRoot, userId), ListOptions(query ?? new PositionQuery()));
            var first = await _runner.RunAsync(Request(Method.GET, url, null, userId, null), events, cancellationToken).ConfigureAwait(false);
            var page = PositionResponses.ReadPage(first, userId);
            var count = page.Count;
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

            return new PositionListing(all, moreExist: false, count);
        }

        public async Task<WorkPosition> UpdateAsync(string? userId, string positionId, PositionBody body, CancellationToken cancellationToken)
        {
            RequireContent("PATCH", body);

            var url = GraphPaths.PositionsUrl(_graphRoot, userId, positionId);
            var result = await _order.RunAsync(UserKey(userId) + "|" + positionId, () => _runner.RunAsync(Request(Method.PATCH, url, body, userId, positionId), _events, cancellationToken)).ConfigureAwait(false);
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
            await _order.RunAsync(UserKey(userId) + "|" + positionId, () => _runner.RunAsync(Request(Method.DELETE, url, null, userId, positionId), _events, cancellationToken)).ConfigureAwait(false);
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

            if (query.Expand != null && query.Expand.Count > 0)
            {
                yield return new KeyValuePair<string, string>("$expand", string.Join(",", query.Expand.Select(item => item.Trim())));
            }

            if (query.Count)
            {
                yield return new KeyValuePair<string, string>("$count", "true");
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
