using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace ProfilePositions.Engine.Positions
{
    /// <summary>
    /// The date forms a position's startMonthYear and endMonthYear accept, turned into Graph's Edm.Date (yyyy-MM-dd).
    /// Always: ISO (2019-04, 2019-04-01, 2019-04-01T00:00:00, 2019-04-01 00:00:00, 20190401), year first with slashes or
    /// dots (2019/04/01, 2019/04), month and year (04/2019) and month names in English (April 2019, Apr 2019, 1 April 2019,
    /// April 1, 2019). A form without a day means the first of the month; a time of day is dropped.
    /// Numeric day and month forms (4/1/2019, 01.04.2019) mean April 1 in the US and 4 January in Europe, so they are
    /// read only with a culture (-DateCulture en-US, en-GB...), which also reads that culture's month names; without
    /// one they are refused rather than guessed.
    /// </summary>
    public static class PositionDates
    {
        private static readonly string[] IsoFormats =
        {
            "yyyy-MM-dd", "yyyy-MM", "yyyy/MM/dd", "yyyy/MM", "yyyy.MM.dd", "yyyy.MM", "MM/yyyy", "M/yyyy", "MM-yyyy", "MM.yyyy",
            "yyyyMMdd", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss.fff", "yyyy/MM/dd HH:mm:ss",
        };

        private static readonly string[] MonthNameFormats =
        {
            "MMMM yyyy", "MMM yyyy", "MMMM, yyyy", "MMM, yyyy", "yyyy MMMM", "yyyy MMM",
            "d MMMM yyyy", "d MMM yyyy", "dd MMMM yyyy", "dd MMM yyyy", "MMMM d, yyyy", "MMM d, yyyy", "MMMM d yyyy", "MMM d yyyy",
            "d-MMM-yyyy", "dd-MMM-yyyy", "MMM-yyyy", "MMMM-yyyy",
        };

        // 4/1/2019, 04.01.2019, 4-1-19, optionally with a time: the day and the month could be either number.
        private static readonly Regex NumericDayMonth = new Regex(@"^\d{1,2}[./-]\d{1,2}[./-]\d{2,4}([ T].*)?$", RegexOptions.CultureInvariant);

        // Months and days with more than 4 digits of year are allowed by Edm.Date; so is a leading minus.
        private static readonly Regex Timestamp = new Regex(@"^-?\d{4,}-\d{2}-\d{2}T", RegexOptions.CultureInvariant);

        /// <summary>Edm.Date text for <paramref name="text"/>, or null with <paramref name="problem"/> saying what is wrong.</summary>
        public static string? Read(string text, CultureInfo? culture, out string problem)
        {
            problem = string.Empty;
            var trimmed = text.Trim();
            if (DateTime.TryParseExact(trimmed, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var iso))
            {
                // A form without a day ("2019-04", "04/2019") means the first of the month; a time of day is dropped.
                return Format(iso.Date);
            }

            if (Timestamp.IsMatch(trimmed) && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var stamp))
            {
                // The date as written, in its own time zone (2019-04-01T23:30:00-05:00 is April 1).
                return Format(stamp.Date);
            }

            if (TryMonthName(trimmed, CultureInfo.InvariantCulture, out var named) || (culture != null && TryMonthName(trimmed, culture, out named)))
            {
                return named;
            }

            if (NumericDayMonth.IsMatch(trimmed))
            {
                if (culture == null)
                {
                    problem = "is a numeric day/month date, which is read only with -DateCulture: US exports put the month first and European ones the day, so it could mean two dates (or be an error in the other order). Give -DateCulture (for example en-US or en-GB) to say how to read it, or write it as yyyy-MM-dd";
                    return null;
                }

                if (DateTime.TryParse(trimmed, culture, DateTimeStyles.AllowWhiteSpaces, out var local))
                {
                    return Format(local.Date);
                }

                problem = "is not a date in the " + culture.Name + " format (" + culture.DateTimeFormat.ShortDatePattern + ")";
                return null;
            }

            problem = "must be a date: yyyy-MM-dd, yyyy-MM (e.g. 2021-03 for March 2021), a month name (March 2021) or a [datetime]";
            return null;
        }

        public static string Format(DateTime date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        private static bool TryMonthName(string text, CultureInfo culture, out string? date)
        {
            date = null;
            if (!DateTime.TryParseExact(text, MonthNameFormats, culture, DateTimeStyles.AllowWhiteSpaces, out var parsed))
            {
                return false;
            }

            // A form without a day ("April 2019") means the first of the month.
            date = Format(parsed);
            return true;
        }
    }
}
