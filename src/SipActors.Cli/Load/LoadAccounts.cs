using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace SipActors.Cli.Load;

/// <summary>
/// The accounts of a load run: generated from <c>--user-format</c> / <c>--password-format</c> with
/// an index, or read from a CSV file (<c>user,password[,display name]</c>). Every problem is a
/// <see cref="CliUsageException"/> naming the option or file:line; none quotes a password.
/// </summary>
internal static class LoadAccounts
{
    /// <summary>Characters a SIP user name may not contain here (the rule of ConnectionParameters.Validate).</summary>
    private const string ForbiddenUserCharacters = " \t\r\n@<>:;\",";

    /// <summary>
    /// <paramref name="count"/> accounts from index <paramref name="first"/>; <paramref name="authUserFormat"/>
    /// gives the digest user name when the server's differs from the AOR's ({user} is the user name,
    /// {0} the index; null for the user itself).
    /// </summary>
    public static IReadOnlyList<LoadAccount> Generate(int count, int first, string userFormat, string passwordFormat, string? authUserFormat = null)
    {
        var authComposite = authUserFormat?.Replace("{user}", "{{user}}", StringComparison.Ordinal);
        var accounts = new LoadAccount[count];
        var seen = new Dictionary<string, int>(count, StringComparer.Ordinal);
        // {user} in the password format must survive string.Format, so it is escaped to {{user}} first.
        var passwordComposite = passwordFormat.Replace("{user}", "{{user}}", StringComparison.Ordinal);
        for (var i = 0; i < count; i++)
        {
            var index = first + i;
            string user;
            string password;
            try
            {
                user = string.Format(CultureInfo.InvariantCulture, userFormat, index);
            }
            catch (FormatException e)
            {
                throw new CliUsageException($"--user-format '{userFormat}' is not a .NET composite format with the index as {{0}}: {e.Message}");
            }
            try
            {
                password = string.Format(CultureInfo.InvariantCulture, passwordComposite, index).Replace("{user}", user, StringComparison.Ordinal);
            }
            catch (FormatException e)
            {
                // The format is not echoed: it is most of a password.
                throw new CliUsageException($"--password-format is not a valid format ({{user}} is the user name, {{0}} the index, other braces are doubled): {e.Message}");
            }
            if (user.Length == 0 || user.AsSpan().IndexOfAny(ForbiddenUserCharacters) >= 0)
            {
                throw new CliUsageException($"--user-format '{userFormat}' gives '{user}' for index {index}, which is not a SIP user name");
            }
            if (password.Length == 0)
            {
                throw new CliUsageException("--password-format gives an empty password");
            }
            if (!seen.TryAdd(user, index))
            {
                throw new CliUsageException($"--user-format '{userFormat}' gives the same user '{user}' for index {seen[user]} and {index}; put the index in it, e.g. user{{0:D4}}");
            }
            string? authUser = null;
            if (authComposite is not null)
            {
                try
                {
                    authUser = string.Format(CultureInfo.InvariantCulture, authComposite, index).Replace("{user}", user, StringComparison.Ordinal);
                }
                catch (FormatException e)
                {
                    throw new CliUsageException($"--auth-user-format '{authUserFormat}' is not a valid format ({{user}} is the user name, {{0}} the index): {e.Message}");
                }
                if (authUser.Length == 0 || authUser.AsSpan().IndexOfAny(ForbiddenUserCharacters) >= 0)
                {
                    throw new CliUsageException($"--auth-user-format '{authUserFormat}' gives '{authUser}' for index {index}, which is not a user name");
                }
            }
            accounts[i] = new LoadAccount(user, password, null, authUser);
        }
        return accounts;
    }

    /// <summary>
    /// Reads a CSV file of <c>user,password[,display name]</c> records (RFC 4180: fields may be
    /// quoted, a quote inside a quoted field is doubled); # comments and blank lines are skipped,
    /// and so is a first record that is a header (<c>user,password...</c>). Fields beyond the
    /// third are the display name's commas. Errors name the file, the line and what is wrong, and
    /// never quote a field: any of them may be a password.
    /// </summary>
    public static IReadOnlyList<LoadAccount> ReadFile(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException($"--accounts-file '{path}' cannot be read: {e.Message}");
        }
        var accounts = new List<LoadAccount>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var badData = false;
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = ",",
            DetectDelimiter = false,
            HasHeaderRecord = false,
            AllowComments = true,
            Comment = '#',
            IgnoreBlankLines = true,
            TrimOptions = TrimOptions.Trim,
            Mode = CsvMode.RFC4180,
            // CsvHelper's own report quotes the record: note the fault and say it our way.
            BadDataFound = _ => badData = true,
        };
        using var parser = new CsvParser(new StringReader(text), configuration);
        var first = true;
        while (true)
        {
            int line;
            string[] fields;
            try
            {
                if (!parser.Read())
                {
                    break;
                }
                line = StartLine(parser, text);
                fields = parser.Record ?? [];
            }
            catch (CsvHelperException)
            {
                throw new CliUsageException($"{path}: not a CSV file that can be read (after line {parser.RawRow.ToString(CultureInfo.InvariantCulture)})");
            }
            var where = $"{path}:{line.ToString(CultureInfo.InvariantCulture)}";
            if (badData)
            {
                throw new CliUsageException($"{where}: a field has a quote that is not closed or not doubled (quote the whole field and double the quotes inside it: \"a\"\"b\")");
            }
            if (Array.TrueForAll(fields, f => f.Length == 0))
            {
                continue; // a line of spaces
            }
            if (first)
            {
                first = false;
                if (IsHeader(fields))
                {
                    continue;
                }
            }
            if (fields.Length < 2)
            {
                throw new CliUsageException($"{where}: one field where 'user,password[,display name]' needs at least two ({SeparatorHint(parser.RawRecord)})");
            }
            var (user, password) = (fields[0], fields[1]);
            if (user.Length == 0)
            {
                throw new CliUsageException($"{where}: the user name (first field) is empty");
            }
            var bad = user.AsSpan().IndexOfAny(ForbiddenUserCharacters);
            if (bad >= 0)
            {
                throw new CliUsageException($"{where}: the user name (first field) contains {Describe(user[bad])}, which a SIP user name may not");
            }
            if (password.Length == 0)
            {
                throw new CliUsageException($"{where}: the password of '{user}' is empty");
            }
            if (!seen.TryAdd(user, line))
            {
                throw new CliUsageException($"{where}: user '{user}' is already on line {seen[user].ToString(CultureInfo.InvariantCulture)}");
            }
            var displayName = fields.Length > 2 ? string.Join(", ", fields[2..]) : "";
            accounts.Add(new LoadAccount(user, password, displayName.Length > 0 ? displayName : null));
        }
        if (accounts.Count == 0)
        {
            throw new CliUsageException($"--accounts-file '{path}' has no accounts (records 'user,password[,display name]')");
        }
        return accounts;
    }

    /// <summary>A first record <c>user,password...</c> (any case) names the columns.</summary>
    private static bool IsHeader(string[] fields)
        => fields.Length >= 2
            && fields[0].Equals("user", StringComparison.OrdinalIgnoreCase)
            && fields[1].StartsWith("pass", StringComparison.OrdinalIgnoreCase);

    /// <summary>The line a record starts on, from its offset: the parser's row counts to its end, and a quoted field may span lines.</summary>
    private static int StartLine(CsvParser parser, string text)
    {
        var start = (int)Math.Clamp(parser.CharCount - parser.RawRecord.Length, 0, text.Length);
        return text.AsSpan(0, start).Count('\n') + 1;
    }

    /// <summary>Why a record has one field, told without its text: another separator, most likely.</summary>
    private static string SeparatorHint(string raw)
        => raw.Contains(';', StringComparison.Ordinal) ? "it has a ';': fields are separated by commas"
            : raw.Contains('\t', StringComparison.Ordinal) ? "it has a tab: fields are separated by commas"
            : "it has no comma";

    private static string Describe(char c) => c switch
    {
        ' ' => "a space",
        '\t' => "a tab",
        '\r' or '\n' => "a line break",
        _ => $"'{c}'",
    };
}
