using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ProfilePositions.Engine.Errors;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// The beta slice behind one small interface, so it can be swapped for Microsoft.Graph.Beta where that package exists.
    /// userId: an object id, a UPN or "me"; null or empty means /me.
    /// </summary>
    public interface IProfilePositionService : IDisposable
    {
        /// <summary>One page of a list; follow NextLink with ListNextAsync.</summary>
        Task<PositionPage> ListAsync(string? userId, PositionQuery query, CancellationToken cancellationToken);

        Task<PositionPage> ListNextAsync(string? userId, string nextLink, CancellationToken cancellationToken);

        Task<WorkPosition> GetAsync(string? userId, string positionId, IReadOnlyList<string>? select, CancellationToken cancellationToken);

        /// <summary>One position, with the query's $select and $expand (its other options belong to lists).</summary>
        Task<WorkPosition> GetOneAsync(string? userId, string positionId, PositionQuery query, CancellationToken cancellationToken);

        /// <summary>
        /// The same session (its sender, its order, the positions read for -SkipExisting), whose operations record the
        /// headers of their answers in notes: one view per item, for -ResponseHeadersVariable.
        /// </summary>
        IProfilePositionService WithNotes(ResponseNotes notes);

        /// <summary>
        /// Creates a position. When the outcome of the POST is unknown (5xx, dropped connection, cut-off response,
        /// timeout) the user's positions are read first: a matching new one is the result; otherwise the POST is sent
        /// again after the retry back-off, up to the retry limit. Nothing is lost and nothing is created twice.
        /// </summary>
        Task<WorkPosition> CreateAsync(string? userId, PositionBody body, CancellationToken cancellationToken);

        /// <summary>
        /// -SkipExisting: the user's positions are read once per session (every page); a body that matches one is not
        /// created and that position is the result (Skipped). Creates for one user run one after another, so a later
        /// identical row sees what an earlier one created.
        /// </summary>
        Task<CreateResult> CreateOrSkipAsync(string? userId, PositionBody body, CancellationToken cancellationToken);

        /// <summary>
        /// The position -SkipExisting would take instead of creating the body, or null: what -WhatIf shows. Waits for the
        /// user's creates still running, and reads the user's positions at most once per session.
        /// </summary>
        Task<WorkPosition?> FindExistingAsync(string? userId, PositionBody body, CancellationToken cancellationToken);

        /// <summary>
        /// A user's positions as Get-ProfilePosition lists them: every page with all (and no top); else pages up to top
        /// positions; else the first page, saying whether more exist.
        /// </summary>
        Task<PositionListing> ReadListingAsync(string? userId, PositionQuery query, int? top, bool all, CancellationToken cancellationToken);

        /// <summary>Every position of the user (all pages).</summary>
        Task<IReadOnlyList<WorkPosition>> ListAllAsync(string? userId, PositionQuery? query, CancellationToken cancellationToken);

        Task<WorkPosition> UpdateAsync(string? userId, string positionId, PositionBody body, CancellationToken cancellationToken);

        Task DeleteAsync(string? userId, string positionId, CancellationToken cancellationToken);

        /// <summary>
        /// The scope preflight: the error for an operation the connection's token certainly lacks the scope for (another
        /// user's profile without a .All scope, a write without any write scope), or null when the token allows it or the
        /// module cannot be certain (then Graph decides). Nothing is sent.
        /// </summary>
        MissingScopeException? Preflight(bool write, string? userId);

        /// <summary>The exact request a write would send, for -WhatIf. method: POST, PATCH or DELETE.</summary>
        RequestPreview Describe(string method, string? userId, string? positionId, PositionBody? body);

        /// <summary>
        /// Sends what waits to fill a $batch envelope now: the command has no more input, or it must wait for an answer
        /// before it reads more.
        /// </summary>
        void Flush();
    }

    /// <summary>What CreateOrSkipAsync did.</summary>
    public sealed class CreateResult
    {
        public CreateResult(WorkPosition position, bool skipped)
        {
            Position = position;
            Skipped = skipped;
        }

        public WorkPosition Position { get; }

        /// <summary>True when a matching position existed and nothing was created.</summary>
        public bool Skipped { get; }
    }
}
