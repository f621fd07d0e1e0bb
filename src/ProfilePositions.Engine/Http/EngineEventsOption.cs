using Microsoft.Kiota.Abstractions;

namespace ProfilePositions.Engine.Http
{
    /// <summary>Carries a request's event sink to the logging handler, so every attempt is reported to the command that sent it.</summary>
    internal sealed class EngineEventsOption : IRequestOption
    {
        public EngineEventsOption(EngineEvents events)
        {
            Events = events;
        }

        public EngineEvents Events { get; }
    }
}
