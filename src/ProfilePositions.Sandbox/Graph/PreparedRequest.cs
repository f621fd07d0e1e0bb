using ProfilePositions.Sandbox.Faults;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>A request whose decisions are made (penalty, throttle, fault rule, latency) and whose work is still to do.</summary>
internal sealed class PreparedRequest(GraphRequest request, GraphRoute route, FaultTarget target, TenantState state, string? callerId, TenantUser? user)
{
    public GraphRequest Request { get; } = request;

    public GraphRoute Route { get; } = route;

    public FaultTarget Target { get; } = target;

    /// <summary>The state as it was on arrival (a reset meanwhile does not move the request to the new state).</summary>
    public TenantState State { get; } = state;

    public string? CallerId { get; } = callerId;

    /// <summary>The caller as the journal names it: the token's UPN, else its object id.</summary>
    public string? CallerName { get; init; }

    public TenantUser? User { get; } = user;

    /// <summary>A penalty or throttle answer, decided on arrival; nothing runs and no latency applies.</summary>
    public GraphOutcome? Immediate { get; set; }

    public FaultDecision? Fault { get; set; }

    /// <summary>The global latency draw plus the matching rule's <c>latencyMs</c>.</summary>
    public int LatencyMs { get; set; }
}
