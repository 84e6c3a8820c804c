using System.Globalization;

namespace SipActors.Cli.Load;

/// <summary>
/// The accounts of a load run: generated from <c>--user-format</c> / <c>--password-format</c> with
/// an index, or read from a CSV file (<c>user,password[,display name]</c>). Every problem is a
/// <see cref="CliUsageException"/> naming the option or file:line.
/// </summary>
internal static class LoadAccounts
{
    /// <summary>Characters a SIP user name may not contain here (the rule of ConnectionParameters.Validate).</summary>
    private const string ForbiddenUserCharacters = " \t\r\n@<>:;\",";

    public static IReadOnlyList<LoadAccount> Generate(int count, int first, string userFormat, string passwordFormat)
    {
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
                throw new CliUsageException($"--password-format '{passwordFormat}' is not a valid format ({{user}} is the user name, {{0}} the index): {e.Message}");
            }
            if (user.Length == 0 || user.AsSpan().IndexOfAny(ForbiddenUserCharacters) >= 0)
            {
                throw new CliUsageException($"--user-format '{userFormat}' gives '{user}' for index {index}, which is not a SIP user name");
            }
            if (password.Length == 0)
            {
                throw new CliUsageException($"--password-format '{passwordFormat}' gives an empty password");
            }
            if (!seen.TryAdd(user, index))
            {
                throw new CliUsageException($"--user-format '{userFormat}' gives the same user '{user}' for index {seen[user]} and {index}; put the index in it, e.g. user{{0:D4}}");
            }
            accounts[i] = new LoadAccount(user, password, null);
        }
        return accounts;
    }

    /// <summary>Reads <c>user,password[,display name]</c> lines; blank lines and lines starting with # are skipped.</summary>
    public static IReadOnlyList<LoadAccount> ReadFile(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new CliUsageException($"--accounts-file '{path}' cannot be read: {e.Message}");
        }
        var accounts = new List<LoadAccount>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            var where = $"{path}:{(i + 1).ToString(CultureInfo.InvariantCulture)}";
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            // The display name is the rest of the line, so it may itself contain commas.
            var fields = line.Split(',', 3, StringSplitOptions.TrimEntries);
            if (fields.Length < 2)
            {
                throw new CliUsageException($"{where}: expected 'user,password[,display name]', got '{Excerpt(line)}'");
            }
            var (user, password) = (fields[0], fields[1]);
            if (user.Length == 0 || user.AsSpan().IndexOfAny(ForbiddenUserCharacters) >= 0)
            {
                throw new CliUsageException($"{where}: '{Excerpt(user)}' is not a SIP user name");
            }
            if (password.Length == 0)
            {
                throw new CliUsageException($"{where}: the password of '{user}' is empty");
            }
            if (!seen.TryAdd(user, i + 1))
            {
                throw new CliUsageException($"{where}: user '{user}' is already on line {seen[user].ToString(CultureInfo.InvariantCulture)}");
            }
            accounts.Add(new LoadAccount(user, password, fields.Length > 2 && fields[2].Length > 0 ? fields[2] : null));
        }
        if (accounts.Count == 0)
        {
            throw new CliUsageException($"--accounts-file '{path}' has no accounts (lines 'user,password[,display name]')");
        }
        return accounts;
    }

    private static string Excerpt(string text) => text.Length <= 40 ? text : text[..40] + "...";
}
