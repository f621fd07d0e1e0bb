using System;
using System.Globalization;

namespace ProfilePositions
{
    /// <summary>
    /// A position's start or end (Graph <c>startMonthYear</c>/<c>endMonthYear</c>, an Edm.Date) as PowerShell shows it:
    /// it compares and sorts as a date, also against a [datetime], and its text is Graph's own (yyyy-MM-dd), so an
    /// export gives back what New-ProfilePosition takes. Text that is not a date (the docs' "datetime-value") is kept
    /// as it came: <see cref="Date"/> is then null, and such a value sorts before every date.
    /// </summary>
    public sealed class MonthYear : IComparable, IComparable<MonthYear>, IEquatable<MonthYear>, IFormattable
    {
        // What Graph sends (yyyy-MM-dd) and what older responses or hand-made objects may hold; never a culture's format.
        private static readonly string[] DateForms =
        {
            "yyyy-MM-dd", "yyyy-MM", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        };

        public MonthYear(string text)
        {
            Text = text ?? throw new ArgumentNullException(nameof(text));
            if (DateTime.TryParseExact(text.Trim(), DateForms, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var date))
            {
                Date = date.Date;
            }
        }

        /// <summary>The text as Graph sent it (or as it was set).</summary>
        public string Text { get; }

        /// <summary>The date (its day is Graph's, usually the first of the month); null when the text is not a date.</summary>
        public DateTime? Date { get; }

        /// <summary>Reads a value the way PowerShell converts text to this type ('2021-03-01' -as [ProfilePositions.MonthYear]).</summary>
        public static MonthYear Parse(string text) => new MonthYear(text);

        /// <summary>Null for null, else the value of a member as the models keep it (Graph's text).</summary>
        public static MonthYear? FromMember(object? value)
        {
            switch (value)
            {
                case null:
                    return null;
                case MonthYear monthYear:
                    return monthYear;
                case DateTime dateTime:
                    return FromDate(dateTime);
                case DateTimeOffset dateTimeOffset:
                    return FromDate(dateTimeOffset.Date);
                default:
                    var text = Convert.ToString(value, CultureInfo.InvariantCulture);
                    return text == null ? null : new MonthYear(text);
            }
        }

        /// <summary>The date as Graph writes it (yyyy-MM-dd).</summary>
        public static MonthYear FromDate(DateTime date) => new MonthYear(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

        /// <summary>So that $position.Detail.StartMonthYear -lt [datetime]'2021-01-01' compares dates.</summary>
        public static implicit operator MonthYear(DateTime date) => FromDate(date);

        /// <summary>So that [datetime]'2021-01-01' -gt $position.Detail.StartMonthYear compares dates; fails for text that is not a date.</summary>
        public static explicit operator DateTime(MonthYear value)
        {
            if (value?.Date == null)
            {
                throw new InvalidCastException("'" + value?.Text + "' is not a date.");
            }

            return value.Date.Value;
        }

        public int CompareTo(MonthYear? other)
        {
            if (other is null)
            {
                return 1;
            }

            if (Date.HasValue && other.Date.HasValue)
            {
                return Date.Value.CompareTo(other.Date.Value);
            }

            if (Date.HasValue != other.Date.HasValue)
            {
                // Text that is not a date sorts before every date, as a missing value does.
                return Date.HasValue ? 1 : -1;
            }

            return string.CompareOrdinal(Text, other.Text);
        }

        public int CompareTo(object? obj)
        {
            switch (obj)
            {
                case null:
                    return 1;
                case MonthYear other:
                    return CompareTo(other);
                case DateTime date:
                    return CompareTo(FromDate(date));
                case DateTimeOffset date:
                    return CompareTo(FromDate(date.Date));
                case string text:
                    return CompareTo(new MonthYear(text));
                default:
                    throw new ArgumentException("A MonthYear compares with a MonthYear, a [datetime] or date text, not " + obj.GetType().Name + ".", nameof(obj));
            }
        }

        /// <summary>Two dates are equal when they are the same day ('2021-03' and '2021-03-01' are); other text when it is the same text.</summary>
        public bool Equals(MonthYear? other) =>
            other is not null && (Date.HasValue || other.Date.HasValue ? Date == other.Date : string.Equals(Text, other.Text, StringComparison.Ordinal));

        public override bool Equals(object? obj) => obj is MonthYear other && Equals(other);

        public override int GetHashCode() => Date?.GetHashCode() ?? StringComparer.Ordinal.GetHashCode(Text);

        /// <summary>Graph's own text, so Export-Csv and string conversions write what New-ProfilePosition takes back.</summary>
        public override string ToString() => Text;

        /// <summary>A date format ('yyyy-MM' is what the views show); text that is not a date is returned as it is.</summary>
        public string ToString(string? format, IFormatProvider? formatProvider) =>
            string.IsNullOrEmpty(format) || !Date.HasValue ? Text : Date.Value.ToString(format, formatProvider ?? CultureInfo.InvariantCulture);

        public static bool operator ==(MonthYear? left, MonthYear? right) => left is null ? right is null : left.Equals(right);

        public static bool operator !=(MonthYear? left, MonthYear? right) => !(left == right);

        public static bool operator <(MonthYear? left, MonthYear? right) => Compare(left, right) < 0;

        public static bool operator >(MonthYear? left, MonthYear? right) => Compare(left, right) > 0;

        public static bool operator <=(MonthYear? left, MonthYear? right) => Compare(left, right) <= 0;

        public static bool operator >=(MonthYear? left, MonthYear? right) => Compare(left, right) >= 0;

        private static int Compare(MonthYear? left, MonthYear? right) => left is null ? (right is null ? 0 : -1) : left.CompareTo(right);
    }
}
