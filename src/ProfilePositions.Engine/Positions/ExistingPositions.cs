using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// What New-ProfilePosition -SkipExisting compares against: each user's positions, read once (every page) the
    /// first time that user comes up, plus what the run creates. One instance per command invocation, so a re-run of a
    /// large import costs one list per user, not one per row. Safe from several threads; the service runs the finds and
    /// creates of one user one after another, so a user's positions are read once.
    /// </summary>
    public sealed class ExistingPositions
    {
        private readonly IProfilePositionService _service;
        private readonly EngineEvents _events;
        private readonly Dictionary<string, List<WorkPosition>> _byUser = new Dictionary<string, List<WorkPosition>>(StringComparer.OrdinalIgnoreCase);

        private readonly Func<string?, string> _key;

        /// <param name="key">Which users are one profile (by default /me and an omitted user).</param>
        public ExistingPositions(IProfilePositionService service, EngineEvents events, Func<string?, string>? key = null)
        {
            _key = key ?? DefaultKey;
            _service = service ?? throw new ArgumentNullException(nameof(service));
            _events = events ?? EngineEvents.None;
        }

        /// <summary>A position of the user that matches the body (<see cref="PositionMatcher"/>), or null.</summary>
        public async Task<WorkPosition?> FindAsync(string? userId, PositionBody body, CancellationToken cancellationToken)
        {
            if (body == null || body.IsEmpty)
            {
                // An empty body matches every position; it is no row to skip, and the create refuses it anyway.
                return null;
            }

            var key = Key(userId);
            List<WorkPosition>? positions;
            lock (_byUser)
            {
                _byUser.TryGetValue(key, out positions);
            }

            if (positions == null)
            {
                positions = new List<WorkPosition>(await _service.ListAllAsync(userId, null, cancellationToken).ConfigureAwait(false));
                lock (_byUser)
                {
                    _byUser[key] = positions;
                }

                _events.Verbose("Read " + positions.Count + " existing position(s) of '" + GraphPaths.DisplayUser(userId) + "' to skip those that already exist.");
            }

            lock (_byUser)
            {
                foreach (var position in positions)
                {
                    if (PositionMatcher.Matches(body, position))
                    {
                        return position;
                    }
                }
            }

            return null;
        }

        /// <summary>Records a position the run created, so a later identical row finds it without another read.</summary>
        public void Add(string? userId, WorkPosition created)
        {
            lock (_byUser)
            {
                if (created != null && _byUser.TryGetValue(Key(userId), out var positions))
                {
                    positions.Add(created);
                }
            }
        }

        private string Key(string? userId) => _key(userId);

        // /me and an omitted user are the same profile; other forms (id vs UPN) are read separately.
        private static string DefaultKey(string? userId) => GraphPaths.IsMe(userId) ? "me" : userId!.Trim();
    }
}
