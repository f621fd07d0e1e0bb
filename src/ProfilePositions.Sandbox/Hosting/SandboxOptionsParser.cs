using System.Globalization;

namespace ProfilePositions.Sandbox;

/// <summary>Turns the sandbox command line into <see cref="SandboxOptions"/>.</summary>
public static class SandboxOptionsParser
{
    /// <summary>What <c>--help</c> prints: every option, its value and its default.</summary>
    public const string HelpText = """
        ProfilePositions Graph sandbox: a loopback emulator of Microsoft Graph beta workPosition and $batch.

        Usage: ProfilePositions.Sandbox [options]

          --port <n>               TCP port on 127.0.0.1; 0 (the default) lets the system pick one.
          --seed <int>             Seed of every random decision (faults, latency, ids, batch order);
                                   random and printed when omitted.
          --data <file.json>       Keep the tenant on disk. The JSON file ({"version":1,"users":[...],
                                   "positions":{...}}) is the seed: the first start makes a store beside it
                                   (tenant.json -> tenant.db, plus tenant.db-wal while it runs or after a kill)
                                   and, if the file is missing, writes the demo tenant to it. Every change goes to
                                   the store only, before its response is sent; later starts load the store,
                                   which wins over the file. If the file changed after the store was made, the
                                   sandbox refuses to start: pass --reseed, or --export the store first.
                                           /_sandbox/state/reset goes back to the seed. A damaged file or store
                                   stops the start with a message and exit code 1.
          --reseed                 With --data: make the store again from the JSON file (its changes are lost).
          --export <file>          With --data: write the store as JSON (the seed format) to <file>, or to
                                   standard output for '-', and exit without serving. A running sandbox
                                   gives the same form at GET /_sandbox/state.
          --durability os|fsync    With --data: 'os' (the default) hands every write to the operating system
                                   before answering, so it survives a killed sandbox but not a power cut;
                                   'fsync' waits for the disk (concurrent writes share one flush).
          --latency-ms <min>-<max> Latency of every request and of every $batch item, drawn uniformly
                                   (or one number for a fixed latency). Items without dependsOn run side
                                   by side, so an envelope takes as long as its slowest dependsOn chain.
          --throttle <n>/<seconds> One token bucket per caller (the token's oid): n tokens, refilled at n per
                                   <seconds>. Each request and each $batch item takes one (the envelope none);
                                   when the bucket is empty the answer is 429 TooManyRequests with Retry-After
                                   in whole seconds, rounded up, until a token is back. Example: 100/1.
          --page-size <n>          Most positions per list page before @odata.nextLink (default 100).
          --loose                  Keep unknown members of request bodies instead of answering 400.
          --shuffle-batch          Answer $batch items in a seeded random order.
          --verbose                One access-log line per request on the console.
          --help                   This text.

        Admin routes (no token needed): /_sandbox/health, /_sandbox/stats, /_sandbox/users, /_sandbox/token,
        /_sandbox/state, /_sandbox/state/reset, /_sandbox/requests, /_sandbox/faults, /_sandbox/penalty.
        Differences from Graph: src/ProfilePositions.Sandbox/KNOWN-DIFFERENCES.md in the project's repository.
        """;

    /// <exception cref="ArgumentException">An option is unknown, lacks its value or has a bad value.</exception>
    public static SandboxOptions Parse(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new SandboxOptions();
        for (var index = 0; index < args.Length; index++)
        {
            var name = args[index];
            var inlineValue = default(string);
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (name.StartsWith("--", StringComparison.Ordinal) && equals > 0)
            {
                inlineValue = name[(equals + 1)..];
                name = name[..equals];
            }

            string TakeValue()
            {
                if (inlineValue is not null)
                {
                    return inlineValue;
                }

                if (index + 1 >= args.Length)
                {
                    throw new ArgumentException($"Option '{name}' needs a value.", nameof(args));
                }

                return args[++index];
            }

            switch (name.ToLowerInvariant())
            {
                case "--port":
                    options.Port = ParseInt(name, TakeValue(), 0, 65535);
                    break;
                case "--seed":
                    options.Seed = ParseInt(name, TakeValue(), int.MinValue, int.MaxValue);
                    break;
                case "--data":
                    var file = TakeValue();
                    if (string.IsNullOrWhiteSpace(file))
                    {
                        throw new ArgumentException("Option '--data' needs a file name.", nameof(args));
                    }

                    options.DataFile = file;
                    break;
                case "--reseed":
                    options.Reseed = true;
                    break;
                case "--export":
                    var export = TakeValue();
                    if (string.IsNullOrWhiteSpace(export))
                    {
                        throw new ArgumentException("Option '--export' needs a file name, or '-' for standard output.", nameof(args));
                    }

                    options.ExportFile = export;
                    break;
                case "--durability":
                    options.Durability = TakeValue().ToLowerInvariant() switch
                    {
                        "os" => SandboxDurability.Os,
                        "fsync" => SandboxDurability.Fsync,
                        var other => throw new ArgumentException($"Option '--durability' needs 'os' or 'fsync', not '{other}'.", nameof(args)),
                    };
                    break;
                case "--latency-ms":
                    (options.LatencyMinMs, options.LatencyMaxMs) = ParseRange(name, TakeValue());
                    break;
                case "--page-size":
                    options.PageSize = ParseInt(name, TakeValue(), 1, 100_000);
                    break;
                case "--loose":
                    options.Loose = true;
                    break;
                case "--shuffle-batch":
                    options.ShuffleBatch = true;
                    break;
                case "--throttle":
                    (options.ThrottleLimit, options.ThrottleSeconds) = ParseRate(name, TakeValue());
                    break;
                case "--verbose":
                    options.Verbose = true;
                    break;
                case "--help":
                case "-h":
                case "-?":
                    options.ShowHelp = true;
                    break;
                default:
                    throw new ArgumentException($"Unknown option '{args[index]}'.", nameof(args));
            }

            if (inlineValue is not null && name is "--loose" or "--shuffle-batch" or "--verbose" or "--help" or "--reseed")
            {
                throw new ArgumentException($"Option '{name}' takes no value.", nameof(args));
            }
        }

        if (options.DataFile is null && (options.Reseed || options.ExportFile is not null || options.Durability != SandboxDurability.Os))
        {
            throw new ArgumentException("Options '--reseed', '--export' and '--durability' work on a --data file; add --data <file.json>.", nameof(args));
        }

        if (options.Reseed && options.ExportFile is not null)
        {
            throw new ArgumentException("Options '--reseed' and '--export' do not go together: export first, then reseed.", nameof(args));
        }

        return options;
    }

    private static int ParseInt(string name, string text, int min, int max)
    {
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new ArgumentException($"Option '{name}' needs an integer between {min} and {max}, not '{text}'.", nameof(name));
        }

        return value;
    }

    // "<n>/<seconds>": n requests per that many seconds (a whole or decimal number).
    private static (int Limit, double Seconds) ParseRate(string name, string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2
            || !double.TryParse(parts[1], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds)
            || !(seconds > 0) || seconds > 86_400)
        {
            throw new ArgumentException($"Option '{name}' needs '<requests>/<seconds>', for example 100/1, not '{text}'.", nameof(name));
        }

        return (ParseInt(name, parts[0], 1, 1_000_000), seconds);
    }

    // "<min>-<max>" or a single "<ms>" for a fixed latency.
    private static (int Min, int Max) ParseRange(string name, string text)
    {
        var parts = text.Split('-');
        if (parts.Length is < 1 or > 2)
        {
            throw new ArgumentException($"Option '{name}' needs '<min>-<max>' in milliseconds, not '{text}'.", nameof(name));
        }

        var min = ParseInt(name, parts[0], 0, 600_000);
        var max = parts.Length == 2 ? ParseInt(name, parts[1], 0, 600_000) : min;
        if (max < min)
        {
            throw new ArgumentException($"Option '{name}': the maximum {max} is below the minimum {min}.", nameof(name));
        }

        return (min, max);
    }
}
