using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>
/// The <c>$filter</c> subset: <c>eq</c>/<c>ne</c> on <c>isCurrent</c>, <c>detail/jobTitle</c> and
/// <c>detail/company/displayName</c>, joined by <c>and</c>/<c>or</c> (<c>and</c> binds tighter), with parentheses.
/// String comparison is ordinal (exact).
/// </summary>
internal abstract class PositionFilter
{
    public abstract bool Matches(StoredPosition position);

    /// <exception cref="FormatException">The expression is outside the supported subset.</exception>
    public static PositionFilter Parse(string text)
    {
        var parser = new Parser(Tokenize(text));
        var filter = parser.ParseOr();
        if (!parser.AtEnd)
        {
            throw new FormatException($"Unexpected '{parser.Current.Text}' in $filter.");
        }

        return filter;
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var index = 0;
        while (index < text.Length)
        {
            var character = text[index];
            if (char.IsWhiteSpace(character))
            {
                index++;
            }
            else if (character is '(' or ')')
            {
                tokens.Add(new Token(character.ToString(), IsString: false));
                index++;
            }
            else if (character == '\'')
            {
                var builder = new System.Text.StringBuilder();
                index++;
                while (true)
                {
                    if (index >= text.Length)
                    {
                        throw new FormatException("Unterminated string literal in $filter.");
                    }

                    if (text[index] == '\'')
                    {
                        if (index + 1 < text.Length && text[index + 1] == '\'')
                        {
                            builder.Append('\'');
                            index += 2;
                            continue;
                        }

                        index++;
                        break;
                    }

                    builder.Append(text[index++]);
                }

                tokens.Add(new Token(builder.ToString(), IsString: true));
            }
            else
            {
                var start = index;
                while (index < text.Length && !char.IsWhiteSpace(text[index]) && text[index] is not '(' and not ')' and not '\'')
                {
                    index++;
                }

                tokens.Add(new Token(text[start..index], IsString: false));
            }
        }

        return tokens;
    }

    private readonly record struct Token(string Text, bool IsString)
    {
        public bool IsWord(string word) => !IsString && string.Equals(Text, word, StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Parser(List<Token> tokens)
    {
        private int _position;

        public bool AtEnd => _position >= tokens.Count;

        public Token Current => AtEnd ? throw new FormatException("The $filter expression ends too early.") : tokens[_position];

        public PositionFilter ParseOr()
        {
            var left = ParseAnd();
            while (!AtEnd && Current.IsWord("or"))
            {
                _position++;
                left = new Either(left, ParseAnd());
            }

            return left;
        }

        private PositionFilter ParseAnd()
        {
            var left = ParsePrimary();
            while (!AtEnd && Current.IsWord("and"))
            {
                _position++;
                left = new Both(left, ParsePrimary());
            }

            return left;
        }

        private PositionFilter ParsePrimary()
        {
            if (Current.IsWord("("))
            {
                _position++;
                var inner = ParseOr();
                if (!Current.IsWord(")"))
                {
                    throw new FormatException("Missing ')' in $filter.");
                }

                _position++;
                return inner;
            }

            var property = Current;
            _position++;
            var op = Current;
            _position++;
            var literal = Current;
            _position++;
            if (property.IsString)
            {
                throw new FormatException($"Expected a property name in $filter, found the literal '{property.Text}'.");
            }

            var negate = op.IsWord("ne");
            if (!negate && !op.IsWord("eq"))
            {
                throw new FormatException($"The operator '{op.Text}' is not supported in $filter; only eq and ne are.");
            }

            var isNull = literal.IsWord("null");
            if (string.Equals(property.Text, "isCurrent", StringComparison.OrdinalIgnoreCase))
            {
                bool? expected = isNull ? null
                    : literal.IsWord("true") ? true
                    : literal.IsWord("false") ? false
                    : throw new FormatException($"isCurrent is Edm.Boolean; '{literal.Text}' is not true, false or null.");
                return new Compare(position => position.IsCurrent == expected, negate);
            }

            Func<StoredPosition, string?> accessor = property.Text.ToLowerInvariant() switch
            {
                "detail/jobtitle" => position => position.JobTitle,
                "detail/company/displayname" => position => position.CompanyDisplayName,
                _ => throw new FormatException($"Filtering on '{property.Text}' is not supported; use isCurrent, detail/jobTitle or detail/company/displayName."),
            };
            if (!isNull && !literal.IsString)
            {
                throw new FormatException($"'{property.Text}' is Edm.String; '{literal.Text}' is not a quoted string literal.");
            }

            var text = isNull ? null : literal.Text;
            return new Compare(position => string.Equals(accessor(position), text, StringComparison.Ordinal), negate);
        }
    }

    private sealed class Compare(Func<StoredPosition, bool> equals, bool negate) : PositionFilter
    {
        public override bool Matches(StoredPosition position) => equals(position) != negate;
    }

    private sealed class Both(PositionFilter left, PositionFilter right) : PositionFilter
    {
        public override bool Matches(StoredPosition position) => left.Matches(position) && right.Matches(position);
    }

    private sealed class Either(PositionFilter left, PositionFilter right) : PositionFilter
    {
        public override bool Matches(StoredPosition position) => left.Matches(position) || right.Matches(position);
    }
}
