namespace SipActors.Configuration;

/// <summary>
/// Finds the first structural error of a HOCON text: a brace or bracket closed by the wrong
/// kind, closed without being opened, or never closed, and a quoted string left open. Akka's
/// parser accepts a missing closing brace, spins forever on some extra closers (<c>} } ]</c>) and
/// echoes the offending line in its other messages; this check runs first and reports a position
/// only, never text, since a line of an accounts file may hold a password.
/// </summary>
/// <remarks>
/// HOCON's lexical rules as far as structure needs them: <c>#</c> and <c>//</c> start a comment
/// outside strings, <c>"..."</c> has backslash escapes and ends on its line, <c>"""..."""</c> may
/// span lines and has no escapes, and <c>${path}</c> / <c>${?path}</c> are substitutions whose
/// braces are not structure.
/// </remarks>
internal static class HoconBrackets
{
    /// <summary>A problem at a 1-based line and column.</summary>
    public readonly record struct Error(int Line, int Column, string Problem);

    public static Error? FindError(string text)
    {
        var open = new Stack<(char Bracket, int Line, int Column)>();
        var line = 1;
        var lineStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var column = i - lineStart + 1;
            switch (c)
            {
                case '\n':
                    line++;
                    lineStart = i + 1;
                    i++;
                    continue;
                case '#':
                    i = EndOfLine(text, i);
                    continue;
                case '/' when Next(text, i) == '/':
                    i = EndOfLine(text, i);
                    continue;
                case '"' when string.CompareOrdinal(text, i, "\"\"\"", 0, 3) == 0:
                {
                    var close = text.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                    if (close < 0)
                    {
                        return new Error(line, column, "a triple-quoted string (\"\"\") is never closed");
                    }
                    // Quotes right after the closing three belong to the string (HOCON): skip them all.
                    var end = close + 3;
                    while (end < text.Length && text[end] == '"')
                    {
                        end++;
                    }
                    for (var k = i; k < end; k++)
                    {
                        if (text[k] == '\n')
                        {
                            line++;
                            lineStart = k + 1;
                        }
                    }
                    i = end;
                    continue;
                }
                case '"':
                {
                    var k = i + 1;
                    while (k < text.Length && text[k] != '"' && text[k] != '\n')
                    {
                        k += text[k] == '\\' ? 2 : 1;
                    }
                    if (k >= text.Length || text[k] != '"')
                    {
                        return new Error(line, column, "a quoted string is not closed on its line");
                    }
                    i = k + 1;
                    continue;
                }
                case '$' when Next(text, i) == '{':
                {
                    var close = text.IndexOfAny(['}', '\n'], i + 2);
                    if (close < 0 || text[close] != '}')
                    {
                        return new Error(line, column, "a substitution (${...}) is not closed on its line");
                    }
                    i = close + 1;
                    continue;
                }
                case '{' or '[':
                    open.Push((c, line, column));
                    break;
                case '}' or ']':
                {
                    var expected = c == '}' ? '{' : '[';
                    if (open.Count == 0)
                    {
                        return new Error(line, column, $"'{c}' closes nothing: there is no open '{expected}' before it");
                    }
                    var (bracket, openLine, openColumn) = open.Pop();
                    if (bracket != expected)
                    {
                        return new Error(line, column, $"'{c}' closes the '{bracket}' of line {openLine}, column {openColumn}, which needs '{Closer(bracket)}'");
                    }
                    break;
                }
            }
            i++;
        }
        if (open.Count > 0)
        {
            var (bracket, openLine, openColumn) = open.Pop();
            return new Error(openLine, openColumn, $"the '{bracket}' here is never closed (a '{Closer(bracket)}' is missing)");
        }
        return null;
    }

    private static char Closer(char bracket) => bracket == '{' ? '}' : ']';

    private static char Next(string text, int i) => i + 1 < text.Length ? text[i + 1] : '\0';

    private static int EndOfLine(string text, int i)
    {
        var newline = text.IndexOf('\n', i);
        return newline < 0 ? text.Length : newline;
    }
}
