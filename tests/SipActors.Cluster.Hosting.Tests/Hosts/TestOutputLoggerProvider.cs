using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace SipActors.Cluster.Hosting.Tests.Hosts;

/// <summary>Log lines of a host (warnings and above, or what SIPACTORS_TEST_LOGLEVEL asks) into the test's output, prefixed with the host's name.</summary>
internal sealed class TestOutputLoggerProvider(ITestOutputHelper output, string name) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new Logger(output, name, categoryName);

    public void Dispose() { }

    private sealed class Logger(ITestOutputHelper output, string name, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {name} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.GetType().Name + ": " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // The test already ended: a late line of a stopping host has nowhere to go.
            }
        }
    }
}
