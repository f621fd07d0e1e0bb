using ProfilePositions.Sandbox.Faults;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>What to send for one request, plus what the journal needs to know about it.</summary>
internal sealed class GraphOutcome(GraphResponse response)
{
    public GraphResponse Response { get; set; } = response;

    public TransportFault Transport { get; set; }

    public string? FaultDescription { get; set; }

    /// <summary>The addressed user (for <c>/me</c>, the caller), when known.</summary>
    public TenantUser? User { get; set; }

    /// <summary>Who sent it: the UPN (else the object id) of the token's user, when the token could be read.</summary>
    public string? Caller { get; set; }

    /// <summary>Status as seen on the wire: 0 when the connection is dropped without a response.</summary>
    public int WireStatus => Transport is TransportFault.Hang or TransportFault.Close or TransportFault.Reset ? 0 : Response.Status;
}
