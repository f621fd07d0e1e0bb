using System.Text.Json;

namespace ProfilePositions.Sandbox.Admin;

/// <summary>
/// One Graph request as the sandbox saw it (batch items get their own entry, with the item's own headers). Headers are
/// kept as sent, except Authorization, which is never written down.
/// </summary>
internal sealed record JournalEntry(
    long Seq,
    DateTime Time,
    string Method,
    string Path,
    string? Query,
    long? BatchId,
    string? BatchItemId,
    int Status,
    string? Fault,
    string? ClientRequestId,
    int? RetryAttempt,
    string? Body,
    string? User,
    string? Caller = null,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null);

/// <summary>The last 10,000 Graph requests, newest last. Appending takes a short lock and copies nothing.</summary>
internal sealed class RequestJournal
{
    private const int Capacity = 10_000;
    private readonly object _lock = new();
    private readonly JournalEntry?[] _ring = new JournalEntry?[Capacity];
    private long _count;
    private long _sequence;

    public long NextSequence() => Interlocked.Increment(ref _sequence);

    public void Append(JournalEntry entry)
    {
        lock (_lock)
        {
            _ring[_count % Capacity] = entry;
            _count++;
        }
    }

    public void Clear()
    {
        lock (_lock)
        {
            Array.Clear(_ring);
            _count = 0;
        }
    }

    public List<JournalEntry> Snapshot()
    {
        lock (_lock)
        {
            var size = (int)Math.Min(_count, Capacity);
            var result = new List<JournalEntry>(size);
            for (var index = _count - size; index < _count; index++)
            {
                result.Add(_ring[index % Capacity]!);
            }

            return result;
        }
    }

    public static void Write(Utf8JsonWriter writer, IEnumerable<JournalEntry> entries)
    {
        writer.WriteStartArray();
        foreach (var entry in entries)
        {
            writer.WriteStartObject();
            writer.WriteNumber("seq", entry.Seq);
            writer.WriteString("time", entry.Time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
            writer.WriteString("method", entry.Method);
            writer.WriteString("path", entry.Path);
            WriteNullable(writer, "query", entry.Query);
            if (entry.BatchId is { } batchId)
            {
                writer.WriteNumber("batchId", batchId);
            }
            else
            {
                writer.WriteNull("batchId");
            }

            WriteNullable(writer, "batchItemId", entry.BatchItemId);
            writer.WriteNumber("status", entry.Status);
            WriteNullable(writer, "fault", entry.Fault);
            WriteNullable(writer, "clientRequestId", entry.ClientRequestId);
            if (entry.RetryAttempt is { } attempt)
            {
                writer.WriteNumber("retryAttempt", attempt);
            }
            else
            {
                writer.WriteNull("retryAttempt");
            }

            WriteNullable(writer, "body", entry.Body);
            WriteNullable(writer, "user", entry.User);
            WriteNullable(writer, "caller", entry.Caller);
            writer.WriteStartObject("headers");
            foreach (var (name, value) in entry.Headers ?? [])
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    /// <summary>The headers worth keeping: all but the bearer token.</summary>
    public static List<KeyValuePair<string, string>> Keep(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var kept = new List<KeyValuePair<string, string>>();
        foreach (var header in headers)
        {
            if (!string.Equals(header.Key, "Authorization", StringComparison.OrdinalIgnoreCase))
            {
                kept.Add(header);
            }
        }

        return kept;
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
