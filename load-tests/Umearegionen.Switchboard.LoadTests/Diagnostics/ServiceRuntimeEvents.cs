using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace Umearegionen.Switchboard.LoadTests.Diagnostics;

/// <summary>
/// Listens to the service process's runtime over EventPipe (the channel dotnet-trace uses, no tool
/// needed): every garbage collection's pause, every change the thread pool makes to its number of
/// threads and why, and time spent waiting for contended locks. When the service is restarted (the
/// fault scenarios), it attaches to the new process.
/// </summary>
public sealed class ServiceRuntimeEvents(Func<int?> pid, Func<DateTime, TimeSpan> runTimeOf, TimelineRecorder timeline)
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    public async Task RunAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            if (pid() is { } id)
            {
                try
                {
                    await Task.Factory.StartNew(() => Listen(id, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default);
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    timeline.Note(runTimeOf(DateTime.UtcNow), $"runtime events from the service stopped: {e.GetType().Name}");
                }
            }

            try { await Task.Delay(500, stop); } catch (OperationCanceledException) { }
        }
    }

    /// <summary>Reads the process's events until it exits or the run stops.</summary>
    private void Listen(int processId, CancellationToken stop)
    {
        var client = new DiagnosticsClient(processId);
        var keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.Threading | ClrTraceEventParser.Keywords.Contention);
        // The session's buffer lives in the service's memory, which the runs measure: keep it small
        // (these events come at most some hundreds a second and are read as they come).
        using var session = client.StartEventPipeSession(
            [new EventPipeProvider(RuntimeProvider, EventLevel.Informational, keywords)], requestRundown: false, circularBufferMB: 8);
        using var registration = stop.Register(() =>
        {
            try { session.Stop(); } catch (Exception) { /* the process is gone already */ }
        });
        using var source = new EventPipeEventSource(session.EventStream);

        DateTime? suspendedAt = null;
        var generation = -1;
        source.Clr.GCStart += e => generation = e.Depth;
        source.Clr.GCSuspendEEStart += e => suspendedAt = e.TimeStamp.ToUniversalTime();
        source.Clr.GCRestartEEStop += e =>
        {
            if (suspendedAt is not { } start) return;
            var end = e.TimeStamp.ToUniversalTime();
            timeline.ServicePause(runTimeOf(start), end - start, generation);
            suspendedAt = null;
        };
        source.Clr.ThreadPoolWorkerThreadAdjustmentAdjustment += e =>
            timeline.ServiceThreadPool(runTimeOf(e.TimeStamp.ToUniversalTime()), (int)e.NewWorkerThreadCount, e.Reason.ToString());
        source.Clr.ContentionStop += e =>
        {
            if (e.DurationNs > 0) timeline.ServiceLockWait(runTimeOf(e.TimeStamp.ToUniversalTime()), TimeSpan.FromTicks((long)(e.DurationNs / 100)));
        };
        source.Process();
    }
}
