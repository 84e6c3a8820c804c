using System.Globalization;
using System.Text.RegularExpressions;
using Akka.Configuration;

namespace SipActors.Configuration;

/// <summary>
/// Parses HOCON that a user wrote (a <c>--config</c> file): a syntax error is a
/// <see cref="SipActorsConfigurationException"/> whose key is <c>source:line:column</c> and whose
/// text says what is wrong without quoting the line, which may hold a password.
/// </summary>
public static partial class HoconText
{
    /// <summary>Parses <paramref name="text"/>; <paramref name="source"/> names it in errors (a file path).</summary>
    public static Config Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);
        if (HoconBrackets.FindError(text) is { } error)
        {
            throw new SipActorsConfigurationException(Where(source, error.Line, error.Column), "not valid HOCON: " + error.Problem);
        }
        try
        {
            return ConfigurationFactory.ParseString(text);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Describe(e, text, source);
        }
    }

    /// <summary>
    /// Akka's parser puts the whole offending line under "Unknown token at position N:"; that
    /// becomes a line and column. Its other messages name no value (an escape character, a
    /// substitution's path), and only their first line is kept.
    /// </summary>
    private static SipActorsConfigurationException Describe(Exception e, string text, string source)
    {
        var message = e.Message;
        var token = UnknownToken().Match(message);
        if (token.Success && int.TryParse(token.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            var (line, column) = LineAndColumn(text, Math.Clamp(position, 0, text.Length));
            return new SipActorsConfigurationException(Where(source, line, column), "not valid HOCON: a character that starts no HOCON token");
        }
        var firstLine = message.AsSpan();
        var newline = firstLine.IndexOfAny('\r', '\n');
        if (newline >= 0)
        {
            firstLine = firstLine[..newline];
        }
        return new SipActorsConfigurationException(source, "not valid HOCON: " + firstLine.Trim().ToString());
    }

    private static (int Line, int Column) LineAndColumn(string text, int position)
    {
        var line = 1;
        var lineStart = 0;
        for (var i = 0; i < position; i++)
        {
            if (text[i] == '\n')
            {
                line++;
                lineStart = i + 1;
            }
        }
        return (line, position - lineStart + 1);
    }

    private static string Where(string source, int line, int column)
        => string.Create(CultureInfo.InvariantCulture, $"{source}:{line}:{column}");

    [GeneratedRegex(@"^Unknown token at position (\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex UnknownToken();
}
