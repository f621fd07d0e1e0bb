using System.Globalization;

namespace ProfilePositions.Sandbox;

/// <summary>Turns the sandbox command line into <see cref="SandboxOptions"/>.</summary>
public static class SandboxOptionsParser
{
    /// <summary>What <c>--help</c> prints: every option, its value and its default.</summary>
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
                case "--https-port":
                    options.HttpsPort = ParseInt(name, TakeValue(), 0, 65535);
                    break;
                case "--token-lifetime":
                    options.TokenLifetimeSeconds = ParseInt(name, TakeValue(), 1, 30 * 24 * 3600);
                    break;
                case "--refresh-token-lifetime":
                    options.RefreshTokenLifetimeSeconds = ParseInt(name, TakeValue(), 1, 3650 * 24 * 3600);
                    break;
                case "--refresh-grace":
                    options.RefreshTokenGraceSeconds = ParseInt(name, TakeValue(), 0, 24 * 3600);
                    break;
                case "--parent-pid":
                    options.ParentPid = ParseInt(name, TakeValue(), 1, int.MaxValue);
                    break;
                case "--help" or "-h" or "-?":
                    options.Help = true;
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
