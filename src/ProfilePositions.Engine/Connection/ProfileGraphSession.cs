using System;
using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Engine.Positions;

namespace ProfilePositions.Engine.Connection
{
    /// <summary>The process-wide connection: one context, one credential, one HTTP pipeline.</summary>
    public static class ProfileGraphSession
    {
        /// <summary>The current context, or null when not connected.</summary>
        public static ProfileGraphContext? Current => throw new NotImplementedException();

        public static Task<ProfileGraphContext> ConnectAsync(ConnectRequest request, CancellationToken cancellationToken) => throw new NotImplementedException();

        /// <summary>Forgets everything in memory and on disk; returns the context that was removed, if any.</summary>
        public static ProfileGraphContext? Disconnect() => throw new NotImplementedException();

        /// <summary>The position service of the current connection; throws NotConnectedException when there is none.</summary>
        public static IProfilePositionService GetPositionService() => throw new NotImplementedException();
    }
}
