using ProfilePositions.Sandbox.State;

namespace ProfilePositions.Sandbox.Graph;

/// <summary>
/// The <c>$filter</c> subset: <c>eq</c>/<c>ne</c> and <c>startswith(path,'text')</c> on every Edm.String member
/// reachable through single-valued complex members (<c>detail/jobTitle</c>, <c>detail/company/displayName</c>,
/// <c>detail/company/address/city</c>, <c>id</c>, …), <c>eq</c>/<c>ne</c> on Edm.Boolean members (<c>isCurrent</c>, …),
/// <c>not</c>, <c>and</c>/<c>or</c> (<c>and</c> binds tighter) and parentheses. Property names are case-insensitive;
/// string comparison is ordinal (exact, case-sensitive).
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
            else if (character is '(' or ')' or ',')
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
                while (index < text.Length && !char.IsWhiteSpace(text[index]) && text[index] is not '(' and not ')' and not ',' and not '\'')
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
            var left = ParseUnary();
            while (!AtEnd && Current.IsWord("and"))
            {
                _position++;
                left = new Both(left, ParseUnary());
            }

            return left;
        }

        private PositionFilter ParseUnary()
        {
            if (Current.IsWord("not"))
            {
                _position++;
                return new Compare(ParseUnary().Matches, negate: true);
            }

            return ParsePrimary();
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

            if (Current.IsWord("startswith"))
            {
                return ParseStartsWith();
            }

            var property = Take();
            var op = Take();
            var literal = Take();
            var path = ResolveProperty(property);
            var negate = op.IsWord("ne");
            if (!negate && !op.IsWord("eq"))
            {
                throw new FormatException($"The operator '{op.Text}' is not supported in $filter; only eq, ne, not and startswith are.");
            }

            var isNull = literal.IsWord("null");
            switch (path.TypeName)
            {
                case "Edm.Boolean":
                    bool? expected = isNull ? null
                        : literal.IsWord("true") ? true
                        : literal.IsWord("false") ? false
                        : throw new FormatException($"{property.Text} is Edm.Boolean; '{literal.Text}' is not true, false or null.");
                    return new Compare(position => position.Leaf(path.Path) as bool? == expected, negate);
                case "Edm.String":
                    if (!isNull && !literal.IsString)
                    {
                        throw new FormatException($"'{property.Text}' is Edm.String; '{literal.Text}' is not a quoted string literal.");
                    }

                    var text = isNull ? null : literal.Text;
                    return new Compare(position => string.Equals(position.Leaf(path.Path) as string, text, StringComparison.Ordinal), negate);
                default:
                    throw new FormatException($"Filtering on '{property.Text}' ({path.TypeName}) is not supported; filter on Edm.String or Edm.Boolean members.");
            }
        }

        // startswith(path,'prefix'): false when the value is null.
        private PositionFilter ParseStartsWith()
        {
            _position++;
            Expect("(");
            var property = Take();
            Expect(",");
            var literal = Take();
            Expect(")");
            var path = ResolveProperty(property);
            if (path.TypeName != "Edm.String")
            {
                throw new FormatException($"startswith needs an Edm.String member; '{property.Text}' is {path.TypeName}.");
            }

            if (!literal.IsString)
            {
                throw new FormatException($"startswith needs a quoted string literal, not '{literal.Text}'.");
            }

            var prefix = literal.Text;
            return new Compare(position => position.Leaf(path.Path) is string value && value.StartsWith(prefix, StringComparison.Ordinal), negate: false);
        }

        private static PositionSchema.ResolvedPath ResolveProperty(Token property)
        {
            if (property.IsString)
            {
                throw new FormatException($"Expected a property name in $filter, found the literal '{property.Text}'.");
            }

            var path = PositionSchema.ResolvePath(property.Text);
            if (path is null || !path.IsPrimitive)
            {
                throw new FormatException($"Could not find a primitive property named '{property.Text}' on type 'microsoft.graph.workPosition' (collections need any/all, which is not supported).");
            }

            return path;
        }

        private Token Take()
        {
            var token = Current;
            _position++;
            return token;
        }

        private void Expect(string word)
        {
            if (!Take().IsWord(word))
            {
                throw new FormatException($"Expected '{word}' in $filter.");
            }
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
