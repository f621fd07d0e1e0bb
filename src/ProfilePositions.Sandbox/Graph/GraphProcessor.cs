using System.Globalization;
using ProfilePositions.Sandbox.Auth;
using ProfilePositions.Sandbox.Faults;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>
/// Runs one Graph request (plain or a batch item): penalty check, throttle, fault rules and latency, then routing,
/// authentication, scopes, user lookup and the operation — in Graph's order, so a 401 never depends on whether the
/// user exists.
/// </summary>
internal sealed class GraphProcessor(PositionStore store, TokenService tokens, FaultEngine faults, ThrottleModel? throttle, PositionHandlers handlers)
{
    /// <summary>A plain request: decided on arrival, then it waits out its latency, then it runs.</summary>
    public async Task<GraphOutcome> ProcessAsync(GraphRequest request, GraphRoute route, CancellationToken ct)
    {
        var prepared = Prepare(request, route, FaultTarget.Request);
        if (prepared.LatencyMs > 0)
        {
            await Task.Delay(prepared.LatencyMs, ct).ConfigureAwait(false);
        }

        var outcome = Complete(prepared);

        // Its changes are in the store before its Retry-After window opens: the window counts from the answer.
        await PendingWrites.WaitCurrentAsync().ConfigureAwait(false);
        faults.NoteRetryAfter(prepared.CallerId, outcome.Response.Header("Retry-After"));
        return outcome;
    }

    /// <summary>
    /// Everything decided when a request (or batch item) arrives, in this order: the penalty window (plain requests
    /// only), a throttle token, the fault rules and the latency (the global draw plus the rule's). Penalty and throttle
    /// answers come back at once, without latency.
    /// </summary>
    public PreparedRequest Prepare(GraphRequest request, GraphRoute route, FaultTarget target)
    {
        var state = store.State;
        var caller = tokens.Peek(request.Authorization);
        var user = route.Kind is RouteKind.PositionCollection or RouteKind.PositionItem or RouteKind.PositionCount
            ? route.IsMe ? caller is null ? null : state.FindUser(caller.ObjectId) : state.FindUser(route.UserKey!)
            : null;
        var prepared = new PreparedRequest(request, route, target, state, caller?.ObjectId, user) { CallerName = caller?.UserPrincipalName ?? caller?.ObjectId };

        if (target == FaultTarget.Request && faults.CheckPenalty(caller?.ObjectId) is { } remaining)
        {
            prepared.Immediate = PenaltyOutcome(request, remaining, user);
            return prepared;
        }

        if (throttle?.TryTake(caller?.ObjectId) is { } wait)
        {
            prepared.Immediate = ThrottledOutcome(request, wait, user);
            return prepared;
        }

        prepared.Fault = faults.Evaluate(request.Method, route.DecodedPath, user, target);
        prepared.LatencyMs = faults.DrawLatency() + (prepared.Fault?.Rule.LatencyMs ?? 0);
        return prepared;
    }

    /// <summary>Runs a prepared request (unless a fault prevents it) and builds what to send.</summary>
    public GraphOutcome Complete(PreparedRequest prepared)
    {
        var request = prepared.Request;
        var outcome = prepared.Immediate;
        if (outcome is null)
        {
            var fault = prepared.Fault;
            var failing = fault is not null && (fault.Rule.Status is not null || fault.Rule.Transport != TransportFault.None);
            GraphResponse? executed = null;
            if (!failing || fault!.Rule.CommitAfter || (fault.Rule.Transport == TransportFault.HalfBody && request.Method == "GET"))
            {
                executed = Execute(request, prepared.Route, prepared.State);
            }

            outcome = failing ? FaultOutcome(request, fault!, executed) : new GraphOutcome(executed!);
            outcome.FaultDescription ??= fault?.Description;
        }

        outcome.User = prepared.User;
        outcome.Caller = prepared.CallerName;
        return outcome;
    }

    /// <summary>The response Graph would give, with no faults involved.</summary>
    public GraphResponse Execute(GraphRequest request, GraphRoute route, TenantState state)
    {
        if (route.Kind == RouteKind.Invalid)
        {
            return ODataErrors.Create(route.Error.Status, route.Error.Code, route.Error.Message, request);
        }

        if (route.Kind == RouteKind.Batch)
        {
            return ODataErrors.BadRequest("A $batch request cannot contain another $batch request.", request);
        }

        var allowed = route.Kind switch
        {
            RouteKind.PositionCollection => request.Method is "GET" or "POST",
            RouteKind.PositionCount => request.Method is "GET",
            _ => request.Method is "GET" or "PATCH" or "DELETE",
        };
        if (!allowed)
        {
            return ODataErrors.MethodNotAllowed(request);
        }

        var check = tokens.Check(request.Authorization);
        if (check.Principal is not { } principal)
        {
            return ODataErrors.Create(401, "InvalidAuthenticationToken", check.FailureMessage!, request);
        }

        if (principal.IsAppOnly)
        {
            return ODataErrors.Create(403, "Authorization_RequestDenied", ScopePolicy.AppOnlyMessage, request);
        }

        var write = request.Method != "GET";
        var self = route.IsMe || principal.IsSelf(route.UserKey!);
        if (!ScopePolicy.Allows(principal, write, self))
        {
            return ODataErrors.Create(403, "Authorization_RequestDenied", ScopePolicy.InsufficientPrivilegesMessage, request);
        }

        var user = route.IsMe ? state.FindUser(principal.ObjectId) : state.FindUser(route.UserKey!);
        if (user is null)
        {
            return ODataErrors.UserNotFound(route.IsMe ? principal.ObjectId : route.UserKey!, request);
        }

        return (route.Kind, request.Method) switch
        {
            (RouteKind.PositionCount, _) => handlers.Count(request, user),
            (RouteKind.PositionCollection, "GET") => handlers.List(request, user),
            (RouteKind.PositionCollection, _) => handlers.Create(request, user, principal),
            (_, "GET") => handlers.Get(request, user, route.PositionId!),
            (_, "PATCH") => handlers.Update(request, user, route.PositionId!, principal),
            _ => handlers.Delete(request, user, route.PositionId!),
        };
    }

    /// <summary>The reply for a fault that fires: an OData error with the rule's status, or a transport fault.</summary>
    public static GraphOutcome FaultOutcome(GraphRequest request, FaultDecision fault, GraphResponse? executed)
    {
        var rule = fault.Rule;
        if (rule.Transport != TransportFault.None)
        {
            // halfBody needs a body to cut: the real one when the request ran, else a server error.
            var response = executed ?? ODataErrors.Create(500, "generalException", "The connection was interrupted.", request);
            return new GraphOutcome(response) { Transport = rule.Transport, FaultDescription = fault.Description };
        }

        var status = rule.Status!.Value;
        var (code, message) = ODataErrors.ForStatus(status);
        var error = ODataErrors.Create(status, code, message, request, status == 429 ? "429" : null);
        if (rule.RetryAfter is not null)
        {
            error.WithHeader("Retry-After", rule.RetryAfter);
        }

        return new GraphOutcome(error) { FaultDescription = fault.Description };
    }

    /// <summary>The token bucket is empty: Graph's 429 with the whole seconds until it holds a token again.</summary>
    public static GraphOutcome ThrottledOutcome(GraphRequest request, int retryAfterSeconds, TenantUser? user)
    {
        var (code, message) = ODataErrors.ForStatus(429);
        var error = ODataErrors.Create(429, code, message, request, "429");
        error.WithHeader("Retry-After", retryAfterSeconds.ToString(CultureInfo.InvariantCulture));
        return new GraphOutcome(error) { User = user, FaultDescription = $"throttled: bucket empty, Retry-After {retryAfterSeconds}" };
    }

    public static GraphOutcome PenaltyOutcome(GraphRequest request, double remainingSeconds, TenantUser? user)
    {
        var wait = Math.Max(1, (int)Math.Ceiling(remainingSeconds));
        var error = ODataErrors.Create(429, "TooManyRequests",
            "Please retry again later. The request arrived before the advertised Retry-After elapsed.", request, "429");
        error.WithHeader("Retry-After", wait.ToString(CultureInfo.InvariantCulture));
        return new GraphOutcome(error)
        {
            User = user,
            FaultDescription = $"penalty: arrived {remainingSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s before Retry-After elapsed",
        };
    }
}
