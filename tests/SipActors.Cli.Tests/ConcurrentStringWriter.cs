using System.Text;

namespace SipActors.Cli.Tests;

/// <summary>
/// Output that a test may read while a command is still writing it (a StringWriter may not be read
/// during a write): <c>sipactors run</c> prints until it is stopped, and a test waits for a line first.
/// </summary>
internal sealed class ConcurrentStringWriter : TextWriter
{
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_lock)
        {
            _text.Append(value);
        }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        lock (_lock)
        {
            _text.Append(buffer, index, count);
        }
    }

    // One lock for the line and its end, so a reader never sees half a line as a whole one.
    public override void WriteLine(string? value)
    {
        lock (_lock)
        {
            _text.Append(value).Append(CoreNewLine);
        }
    }

    /// <summary>The complete lines written so far.</summary>
    public IReadOnlyList<string> Lines()
    {
        string text;
        lock (_lock)
        {
            text = _text.ToString();
        }
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public override string ToString()
    {
        lock (_lock)
        {
            return _text.ToString();
        }
    }
}
