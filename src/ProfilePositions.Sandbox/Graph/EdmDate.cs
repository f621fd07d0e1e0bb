using System.Globalization;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>
/// An <c>Edm.Date</c> as OData writes it: <c>year "-" month "-" day</c>, where the year has four digits or more
/// (no leading zero beyond four), may be negative, and the day exists in that month of the proleptic Gregorian
/// calendar. Microsoft's OpenAPI description allows the same years (<c>-?([1-9][0-9]{3,}|0[0-9]{3})</c>).
/// </summary>
internal readonly record struct EdmDate(long Year, int Month, int Day) : IComparable<EdmDate>
{
    public static bool TryParse(string? text, out EdmDate date)
    {
        date = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var negative = text[0] == '-';
        var body = negative ? text.AsSpan(1) : text.AsSpan();
        var firstDash = body.IndexOf('-');
        if (firstDash < 4 || body.Length != firstDash + 6 || body[firstDash + 3] != '-')
        {
            return false;
        }

        var yearText = body[..firstDash];
        if ((yearText.Length > 4 && yearText[0] == '0') || yearText.Length > 18 || !AllDigits(yearText)
            || !AllDigits(body.Slice(firstDash + 1, 2)) || !AllDigits(body.Slice(firstDash + 4, 2)))
        {
            return false;
        }

        var year = long.Parse(yearText, NumberStyles.None, CultureInfo.InvariantCulture) * (negative ? -1 : 1);
        var month = int.Parse(body.Slice(firstDash + 1, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        var day = int.Parse(body.Slice(firstDash + 4, 2), NumberStyles.None, CultureInfo.InvariantCulture);
        if (month is < 1 or > 12 || day < 1 || day > DaysIn(year, month))
        {
            return false;
        }

        date = new EdmDate(year, month, day);
        return true;
    }

    public int CompareTo(EdmDate other) =>
        Year != other.Year ? Year.CompareTo(other.Year) : Month != other.Month ? Month.CompareTo(other.Month) : Day.CompareTo(other.Day);

    private static int DaysIn(long year, int month) => month switch
    {
        2 => IsLeap(year) ? 29 : 28,
        4 or 6 or 9 or 11 => 30,
        _ => 31,
    };

    // Works for year 0 and negative years too (astronomical numbering, as ISO 8601 and OData use).
    private static bool IsLeap(long year) => Mod(year, 4) == 0 && (Mod(year, 100) != 0 || Mod(year, 400) == 0);

    private static long Mod(long value, long divisor) => ((value % divisor) + divisor) % divisor;

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var character in text)
        {
            if (character is < '0' or > '9')
            {
                return false;
            }
        }

        return text.Length > 0;
    }
}
