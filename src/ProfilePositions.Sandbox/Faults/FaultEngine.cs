using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Faults;

/// <summary>A fault chosen for one request.</summary>
internal sealed record FaultDecision(FaultRule Rule, string Description);

/// <summary>
/// Fault rules, latency, penalty mode and every seeded draw. Each concern has its own generator seeded from the
/// run's seed, and draws happen under one lock in request order, so the same seed and the same request sequence
/// give the same faults.
/// </summary>
internal sealed class FaultEngine
{
    private readonly object _lock = new();
    private readonly int _seed;
    private readonly int _latencyMin;
    private readonly int _latencyMax;
    private readonly ConcurrentDictionary<string, DateTimeOffset> _retryNotBefore = new(StringComparer.OrdinalIgnoreCase);
    private List<FaultRule> _rules = [];
    private Random _faultRandom = null!;
    private Random _latencyRandom = null!;
    private Random _shuffleRandom = null!;
    private int _nextRuleId;
    private long _violations;
    private volatile bool _penaltyEnabled;

    public FaultEngine(int seed, int latencyMin, int latencyMax)
    {
        _seed = seed;
        _latencyMin = latencyMin;
        _latencyMax = Math.Max(latencyMin, latencyMax); // only a minimum given means a fixed latency
        Reset();
    }

    public bool HasRules => Volatile.Read(ref _rules).Count > 0;

    public long Violations => Interlocked.Read(ref _violations);

    public bool PenaltyEnabled
    {
        get => _penaltyEnabled;
        set => _penaltyEnabled = value;
    }

    /// <summary>Rules, counters, windows, violations and generators back to their start.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            Volatile.Write(ref _rules, []);
            _faultRandom = new Random(_seed);
            _latencyRandom = new Random(unchecked(_seed ^ 0x5A5A5A5A));
            _shuffleRandom = new Random(unchecked(_seed + 0x3C3C3C3C));
            _nextRuleId = 0;
            _retryNotBefore.Clear();
            Interlocked.Exchange(ref _violations, 0);
            _penaltyEnabled = false;
        }
    }

    /// <summary>Adds one rule or an array of rules; all or nothing.</summary>
    /// <exception cref="FormatException">A rule is malformed.</exception>
    public IReadOnlyList<FaultRule> Add(JsonNode? body)
    {
        var nodes = body is JsonArray array ? array.ToList() : [body];
        lock (_lock)
        {
            var parsed = new List<FaultRule>();
            var nextId = _nextRuleId;
            foreach (var node in nodes)
            {
                parsed.Add(FaultRule.Parse(node, JsonValue.Create(++nextId)));
            }

            _nextRuleId = nextId;
            Volatile.Write(ref _rules, [.. _rules, .. parsed]);
            return parsed;
        }
    }

    public IReadOnlyList<FaultRule> Rules
    {
        get
        {
            lock (_lock)
            {
                return [.. _rules];
            }
        }
    }

    public JsonArray RulesToJson()
    {
        lock (_lock)
        {
            return new JsonArray(_rules.Select(rule => (JsonNode?)rule.ToJson()).ToArray());
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            Volatile.Write(ref _rules, []);
        }
    }

    public bool Remove(string id)
    {
        lock (_lock)
        {
            var kept = _rules.Where(rule => rule.IdText != id).ToList();
            var removed = kept.Count != _rules.Count;
            Volatile.Write(ref _rules, kept);
            return removed;
        }
    }

    /// <summary>First rule that matches and fires; null when none does.</summary>
    public FaultDecision? Evaluate(string method, string decodedPath, TenantUser? user, FaultTarget target)
    {
        if (!HasRules)
        {
            return null;
        }

        lock (_lock)
        {
            foreach (var rule in _rules)
            {
                if (!rule.AppliesTo(target)
                    || (rule.Method is not null && !string.Equals(rule.Method, method, StringComparison.OrdinalIgnoreCase))
                    || (rule.PathPattern is not null && !rule.PathPattern.IsMatch(decodedPath))
                    || (rule.User is not null && (user is null || !(string.Equals(rule.User, user.Id, StringComparison.OrdinalIgnoreCase) || string.Equals(rule.User, user.UserPrincipalName, StringComparison.OrdinalIgnoreCase)))))
                {
                    continue;
                }

                rule.Occurrences++;
                if (rule.Occurrences < (rule.Nth ?? 1) || (rule.Times is { } times && rule.Fired >= times))
                {
                    continue;
                }

                if (rule.Probability < 1 && _faultRandom.NextDouble() >= rule.Probability)
                {
                    continue;
                }

                rule.Fired++;
                return new FaultDecision(rule, rule.Describe());
            }

            return null;
        }
    }

    /// <summary>The global latency for one request, uniform in min..max.</summary>
    public int DrawLatency()
    {
        if (_latencyMax <= 0)
        {
            return 0;
        }

        if (_latencyMin == _latencyMax)
        {
            return _latencyMin;
        }

        lock (_lock)
        {
            return _latencyRandom.Next(_latencyMin, _latencyMax + 1);
        }
    }

    public void Shuffle<T>(IList<T> items)
    {
        lock (_lock)
        {
            for (var index = items.Count - 1; index > 0; index--)
            {
                var other = _shuffleRandom.Next(index + 1);
                (items[index], items[other]) = (items[other], items[index]);
            }
        }
    }

    /// <summary>Remembers an advertised Retry-After for penalty mode (the longest window wins).</summary>
    public void NoteRetryAfter(string? caller, string? retryAfter)
    {
        if (caller is null || retryAfter is null || ParseRetryAfter(retryAfter) is not { } until)
        {
            return;
        }

        _retryNotBefore.AddOrUpdate(caller, until, (_, existing) => existing > until ? existing : until);
    }

    /// <summary>In penalty mode, the seconds left in the caller's window when it came back too early; counts a violation.</summary>
    public double? CheckPenalty(string? caller)
    {
        if (!_penaltyEnabled || caller is null || !_retryNotBefore.TryGetValue(caller, out var until))
        {
            return null;
        }

        var remaining = (until - DateTimeOffset.UtcNow).TotalSeconds;
        if (remaining <= 0)
        {
            return null;
        }

        Interlocked.Increment(ref _violations);
        return remaining;
    }

    internal static DateTimeOffset? ParseRetryAfter(string value)
    {
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds > 0 ? DateTimeOffset.UtcNow.AddSeconds(seconds) : null;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date) ? date : null;
    }
}
