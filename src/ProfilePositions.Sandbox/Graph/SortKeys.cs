using System.Globalization;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>How $orderby compares the stored values of one property, by its Edm type; null is lowest.</summary>
internal static class SortKeys
{
    public static IComparer<object?> ComparerFor(PositionSchema.ResolvedPath property) => property.Type switch
    {
        PositionSchema.EnumType enumeration => By(value => value is string text ? PositionSchema.EnumValue(enumeration, text) : null),
        _ => property.TypeName switch
        {
            "Edm.Date" => By(value => EdmDate.TryParse(value as string, out var date) ? date : (EdmDate?)null),
            "Edm.DateTimeOffset" => By(value => value is string text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var moment) ? moment : (DateTimeOffset?)null),
            "Edm.Boolean" => By(value => value as bool?),
            "Edm.Int32" or "Edm.Double" => By(value => value as double?),
            _ => Comparer<object?>.Create((left, right) => string.CompareOrdinal(left as string, right as string)),
        },
    };

    private static IComparer<object?> By<T>(Func<object?, T?> key)
        where T : struct, IComparable<T> =>
        Comparer<object?>.Create((left, right) => (key(left), key(right)) switch
        {
            (null, null) => 0,
            (null, _) => -1,
            (_, null) => 1,
            var (a, b) => a!.Value.CompareTo(b!.Value),
        });
}
