using System.Collections.Concurrent;
using Serilog.Core;
using Serilog.Events;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// The service's log events, each rendered as its message, its properties and its exception, for tests that check
/// what is logged (and what never is). An app captures them by returning one from <see cref="SwitchboardApp.LogSink"/>.
/// </summary>
public sealed class CapturingSink : ILogEventSink
{
    public ConcurrentQueue<string> Events { get; } = new();

    public void Emit(LogEvent logEvent)
    {
        using var writer = new StringWriter();
        logEvent.RenderMessage(writer);
        writer.Write(' ');
        foreach (var (name, value) in logEvent.Properties)
        {
            writer.Write($"{name}={value} ");
        }

        writer.Write(logEvent.Exception);
        Events.Enqueue(writer.ToString());
    }
}
