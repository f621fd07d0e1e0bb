using System.Collections.Concurrent;
using System.Diagnostics;

namespace ProfilePositions.Sandbox.Faults;

/// <summary>
/// <c>--throttle n/seconds</c>: one token bucket per caller (the token's <c>oid</c>), holding at most <c>n</c> tokens and
/// refilled continuously at <c>n</c> per <c>seconds</c>; it starts full. Every plain request and every <c>$batch</c> item
/// takes one token (the envelope itself takes none). An empty bucket throttles: the answer is a 429 whose
/// Retry-After is the whole seconds, rounded up, until the bucket holds a token again.
/// </summary>
internal sealed class ThrottleModel(int limit, double seconds)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.OrdinalIgnoreCase);
    private readonly double _tokensPerTick = limit / (seconds * Stopwatch.Frequency);
    private long _throttled;

    public int Limit { get; } = limit;

    public double Seconds { get; } = seconds;

    /// <summary>Requests and batch items answered 429 by the bucket since the start or the last reset.</summary>
    public long Throttled => Interlocked.Read(ref _throttled);

    /// <summary>Takes a token for <paramref name="caller"/>; null when granted, else the whole seconds to advertise.</summary>
    public int? TryTake(string? caller)
    {
        if (caller is null)
        {
            return null; // no valid token: the request answers 401 anyway
        }

        var bucket = _buckets.GetOrAdd(caller, _ => new Bucket(Limit, Stopwatch.GetTimestamp()));
        lock (bucket)
        {
            var now = Stopwatch.GetTimestamp();
            bucket.Tokens = Math.Min(Limit, bucket.Tokens + ((now - bucket.Stamp) * _tokensPerTick));
            bucket.Stamp = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return null;
            }

            Interlocked.Increment(ref _throttled);
            var wait = (1 - bucket.Tokens) / (_tokensPerTick * Stopwatch.Frequency);
            return Math.Max(1, (int)Math.Ceiling(wait));
        }
    }

    /// <summary>Every bucket full again and the counter at zero.</summary>
    public void Reset()
    {
        _buckets.Clear();
        Interlocked.Exchange(ref _throttled, 0);
    }

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}
