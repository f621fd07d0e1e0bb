using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// The beta slice behind one small interface, so it can be swapped for Microsoft.Graph.Beta where that package exists.
    /// userId: an object id, a UPN or "me"; null or empty means /me.
    /// </summary>
    public interface IProfilePositionService
    {
        /// <summary>One page of a list; follow NextLink with ListNextAsync.</summary>
        Task<PositionPage> ListAsync(string? userId, PositionQuery query, CancellationToken cancellationToken);

        Task<PositionPage> ListNextAsync(string? userId, string nextLink, CancellationToken cancellationToken);

        Task<WorkPosition> GetAsync(string? userId, string positionId, IReadOnlyList<string>? select, CancellationToken cancellationToken);

        /// <summary>
        /// Creates a position. When the outcome of the POST is unknown (5xx, dropped connection, cut-off response,
        /// timeout) the user's positions are read first: a matching new one is the result; otherwise the POST is sent
        /// again after the retry back-off, up to the retry limit. Nothing is lost and nothing is created twice.
        /// </summary>
        Task<WorkPosition> CreateAsync(string? userId, PositionBody body, CancellationToken cancellationToken);

        /// <summary>Every position of the user (all pages).</summary>
        Task<IReadOnlyList<WorkPosition>> ListAllAsync(string? userId, PositionQuery? query, CancellationToken cancellationToken);

        Task<WorkPosition> UpdateAsync(string? userId, string positionId, PositionBody body, CancellationToken cancellationToken);

        Task DeleteAsync(string? userId, string positionId, CancellationToken cancellationToken);

        /// <summary>The exact request a write would send, for -WhatIf. method: POST, PATCH or DELETE.</summary>
        RequestPreview Describe(string method, string? userId, string? positionId, PositionBody? body);
    }
}
