using System.Globalization;
using System.Text;
using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>
/// Query options of the positions API. Names are case-insensitive and may omit the <c>$</c> (a beta rule);
/// unknown <c>$</c> options and bad values are errors; other custom parameters are ignored, as Graph does.
/// </summary>
internal enum QueryScope
{
    /// <summary>A list: every option.</summary>
    Collection,

    /// <summary>GET of one position: <c>$select</c> only.</summary>
    Single,

    /// <summary><c>/$count</c>: <c>$filter</c> counts; <c>$top</c>, <c>$skip</c>, <c>$orderby</c> and <c>$select</c> are checked and have no effect.</summary>
    Count,
}

internal sealed class ODataQuery
{
    /// <summary>ASP.NET OData's own wording, which Graph services built on it answer with.</summary>
    private const string NotAllowedFormat = "The query specified in the URI is not valid. Query option '{0}' is not allowed. To allow it, set the 'AllowedQueryOptions' property on EnableQueryAttribute or QueryValidationSettings.";

    /// <summary>System query options that Graph refuses here with <see cref="NotAllowedFormat"/>, by their AllowedQueryOptions names.</summary>
    private static readonly Dictionary<string, string> NotAllowedOptions = new(StringComparer.Ordinal)
    {
        ["expand"] = "Expand",
        ["search"] = "Search",
        ["apply"] = "Apply",
        ["compute"] = "Compute",
        ["format"] = "Format",
    };

    private static readonly string[] SystemOptions = ["levels", "deltatoken", "id", "index", "schemaversion"];

    public int? Top { get; private set; }

    public int Skip { get; private set; }

    /// <summary>The selected paths (canonical names; nested ones such as <c>detail/jobTitle</c> too), or null for all.</summary>
    public IReadOnlyList<PositionSchema.ResolvedPath>? Select { get; private set; }

    public IReadOnlyList<(PositionSchema.ResolvedPath Property, bool Descending)> OrderBy { get; private set; } = [];

    public PositionFilter? Filter { get; private set; }

    /// <summary><c>$count=true</c>: the list carries <c>@odata.count</c>.</summary>
    public bool Count { get; private set; }

    /// <summary>Options carried into <c>@odata.nextLink</c> as the client wrote them (decoded).</summary>
    public List<(string Name, string Value)> CarriedOptions { get; } = [];

    /// <summary>Parses the query for a list, one position or <c>/$count</c>.</summary>
    public static (ODataQuery? Query, string? Error) Parse(string? rawQuery, QueryScope scope)
    {
        var query = new ODataQuery();
        if (string.IsNullOrEmpty(rawQuery))
        {
            return (query, null);
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? skipToken = null;
        bool sawTopOrSkip = false;
        foreach (var pair in rawQuery.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = pair.IndexOf('=');
            var rawName = Decode(equals < 0 ? pair : pair[..equals]);
            var value = equals < 0 ? string.Empty : Decode(pair[(equals + 1)..]);
            var hasDollar = rawName.StartsWith('$');
            var name = (hasDollar ? rawName[1..] : rawName).ToLowerInvariant();
            if (NotAllowedOptions.TryGetValue(name, out var optionName))
            {
                return (null, string.Format(CultureInfo.InvariantCulture, NotAllowedFormat, optionName));
            }

            var known = name is "top" or "skip" or "select" or "orderby" or "filter" or "skiptoken" or "count";
            if (!known)
            {
                if (hasDollar || SystemOptions.Contains(name))
                {
                    return (null, $"Query option '{rawName}' is not supported by the profile positions API.");
                }

                continue;
            }

            if (!seen.Add(name))
            {
                return (null, $"Query option '${name}' was specified more than once.");
            }

            if (scope == QueryScope.Single && name != "select")
            {
                return (null, $"Query option '{rawName}' is not allowed when reading a single workPosition; only $select is.");
            }

            if (scope == QueryScope.Count && name is "count" or "skiptoken")
            {
                return (null, $"Query option '{rawName}' is not allowed on /$count.");
            }

            switch (name)
            {
                case "top":
                case "skip":
                    if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 0)
                    {
                        return (null, $"Invalid value '{value}' for query option '{rawName}': expected a non-negative integer.");
                    }

                    if (name == "top")
                    {
                        query.Top = number;
                    }
                    else
                    {
                        query.Skip = number;
                    }

                    sawTopOrSkip = true;
                    break;
                case "select":
                    var selected = new List<PositionSchema.ResolvedPath>();
                    foreach (var item in value.Split(',', StringSplitOptions.TrimEntries))
                    {
                        if (item == "*")
                        {
                            continue;
                        }

                        var path = PositionSchema.ResolvePath(item);
                        if (path is null)
                        {
                            return (null, $"Could not find a property named '{item}' on type 'microsoft.graph.workPosition' ($select).");
                        }

                        selected.Add(path);
                    }

                    query.Select = value.Split(',', StringSplitOptions.TrimEntries).Contains("*") ? null : selected;
                    query.CarriedOptions.Add(("$select", value));
                    break;
                case "orderby":
                    var keys = new List<(PositionSchema.ResolvedPath, bool)>();
                    foreach (var item in value.Split(',', StringSplitOptions.TrimEntries))
                    {
                        var words = item.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                        var property = words.Length > 0 ? PositionSchema.ResolvePath(words[0]) : null;
                        if (property is null || !property.IsPrimitive || words.Length > 2
                            || (words.Length == 2 && !words[1].Equals("asc", StringComparison.OrdinalIgnoreCase) && !words[1].Equals("desc", StringComparison.OrdinalIgnoreCase)))
                        {
                            return (null, $"Invalid $orderby clause '{item}': order by a single-valued primitive property (such as detail/company/displayName) with an optional asc or desc.");
                        }

                        keys.Add((property, words.Length == 2 && words[1].Equals("desc", StringComparison.OrdinalIgnoreCase)));
                    }

                    query.OrderBy = keys;
                    query.CarriedOptions.Add(("$orderby", value));
                    break;
                case "filter":
                    try
                    {
                        query.Filter = PositionFilter.Parse(value);
                    }
                    catch (FormatException error)
                    {
                        return (null, $"Invalid $filter '{value}': {error.Message}");
                    }

                    query.CarriedOptions.Add(("$filter", value));
                    break;
                case "count":
                    if (!bool.TryParse(value, out var count) || value.Trim() != value)
                    {
                        return (null, $"Invalid value '{value}' for query option '{rawName}': expected true or false.");
                    }

                    query.Count = count;
                    if (count)
                    {
                        query.CarriedOptions.Add(("$count", "true"));
                    }

                    break;
                case "skiptoken":
                    skipToken = value;
                    break;
            }
        }

        if (skipToken is not null)
        {
            if (sawTopOrSkip || !TryReadSkipToken(skipToken, out var skip, out var top))
            {
                return (null, $"Invalid $skiptoken '{skipToken}'. Follow @odata.nextLink as returned.");
            }

            query.Skip = skip;
            query.Top = top;
        }

        return (query, null);
    }

    /// <summary>How many positions match <c>$filter</c>, whatever <c>$top</c> and <c>$skip</c> say.</summary>
    public int CountMatching(IReadOnlyList<StoredPosition> items) => Filter is null ? items.Count : items.Count(Filter.Matches);

    /// <summary>
    /// Filters, orders and pages under the caller's read lock; returns the page, the skip token of the next page
    /// (null when none) and, under <c>$count=true</c>, the number of matching positions before paging.
    /// </summary>
    public (List<StoredPosition> Page, string? NextSkipToken, int? Total) Apply(IReadOnlyList<StoredPosition> items, int pageSize)
    {
        var total = Count ? CountMatching(items) : (int?)null;
        IEnumerable<StoredPosition> result = Filter is null ? items : items.Where(Filter.Matches);
        if (OrderBy.Count > 0)
        {
            IOrderedEnumerable<StoredPosition>? ordered = null;
            foreach (var (property, descending) in OrderBy)
            {
                ordered = ThenBy(ordered, result, property, descending);
            }

            result = ordered!.ThenBy(position => position.Sequence);
        }

        var page = new List<StoredPosition>(Math.Min(pageSize, 128));
        var remainingTop = Top;
        var index = 0;
        var hasMore = false;
        foreach (var position in result)
        {
            if (index++ < Skip)
            {
                continue;
            }

            if (remainingTop is { } top && page.Count >= top)
            {
                break;
            }

            if (page.Count >= pageSize)
            {
                hasMore = true;
                break;
            }

            page.Add(position);
        }

        if (!hasMore)
        {
            return (page, null, total);
        }

        var nextTop = Top is { } limit ? limit - page.Count : (int?)null;
        return (page, WriteSkipToken(Skip + page.Count, nextTop), total);
    }

    private static IOrderedEnumerable<StoredPosition> ThenBy(IOrderedEnumerable<StoredPosition>? ordered, IEnumerable<StoredPosition> source, PositionSchema.ResolvedPath property, bool descending)
    {
        // Nulls sort first in ascending order, as in OData.
        var comparer = SortKeys.ComparerFor(property);
        return ordered is null
            ? descending ? source.OrderByDescending(position => position.Leaf(property.Path), comparer) : source.OrderBy(position => position.Leaf(property.Path), comparer)
            : descending ? ordered.ThenByDescending(position => position.Leaf(property.Path), comparer) : ordered.ThenBy(position => position.Leaf(property.Path), comparer);
    }

    private static string WriteSkipToken(int skip, int? top) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes($"v1:{skip}:{top?.ToString(CultureInfo.InvariantCulture)}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryReadSkipToken(string token, out int skip, out int? top)
    {
        skip = 0;
        top = null;
        try
        {
            var padded = token.Replace('-', '+').Replace('_', '/');
            padded += (padded.Length % 4) switch { 2 => "==", 3 => "=", _ => string.Empty };
            var parts = Encoding.ASCII.GetString(Convert.FromBase64String(padded)).Split(':');
            if (parts.Length != 3 || parts[0] != "v1" || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out skip))
            {
                return false;
            }

            if (parts[2].Length > 0)
            {
                if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var value))
                {
                    return false;
                }

                top = value;
            }

            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    // '+' means a space in query strings written by form encoders; a literal plus arrives as %2B.
    private static string Decode(string text) => Uri.UnescapeDataString(text.Replace('+', ' '));
}
