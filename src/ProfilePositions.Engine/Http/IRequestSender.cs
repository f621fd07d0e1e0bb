using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Http
{
    /// <summary>
    /// Sends one attempt of an operation and returns Graph's answer, or throws <see cref="TransportFailure"/> when there
    /// was none: as a plain request (<see cref="GraphTransport"/>) or as an item of a $batch envelope.
    /// </summary>
    internal interface IRequestSender
    {
        Task<RawResponse> SendAsync(PositionRequest request, int attempt, EngineEvents events, CancellationToken cancellationToken);
    }
}
