using System.Collections.Concurrent;
using System.Diagnostics;
using Umearegionen.Switchboard.LoadTests.Diagnostics;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>What the generator's parts share during a run: the clock, the recorders, the counters.</summary>
public sealed class RunState(Scenario scenario)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly DateTime _startUtc = DateTime.UtcNow;
    private long _retries;
    private long _races;

    public Scenario Scenario { get; } = scenario;
    public LatencyRecorder IntakeToOffer { get; } = new("intake-to-offer");
    public LatencyRecorder AcceptToConfirmed { get; } = new("accept-to-confirmed");
    public LatencyRecorder EventToDashboard { get; } = new("event-to-dashboard");
    /// <summary>Intake to the first queue snapshot listing the call (only the head of the queue is listed).</summary>
    public LatencyRecorder IntakeToQueueListing { get; } = new("intake-to-queue-listing");
    /// <summary>Intake-to-offer per rate phase, by the phase the call arrived in (the ramp's verdict per step).</summary>
    public ConcurrentDictionary<string, LatencyRecorder> IntakeToOfferByPhase { get; } = new();
    public ErrorCounter Errors { get; } = new();
    /// <summary>Caller number (unique per call) → when its intake was sent (on this clock and the wall clock) and in which phase.</summary>
    public ConcurrentDictionary<string, (long SentAt, DateTime SentUtc, TimeSpan RunTime, string Phase)> Sent { get; } = new();
    /// <summary>Service call id → when its intake was sent (for event-to-dashboard).</summary>
    public ConcurrentDictionary<Guid, long> IntakeByCallId { get; } = new();
    /// <summary>Caller numbers the generator hung up on.</summary>
    public ConcurrentDictionary<string, bool> HungUp { get; } = new();
    /// <summary>Caller numbers an operator accepted.</summary>
    public ConcurrentDictionary<string, bool> Accepted { get; } = new();
    /// <summary>Platform call id of every call the generator placed → the phase it arrived in and its caller number.</summary>
    public ConcurrentDictionary<string, (string Phase, string Caller)> StartedPlatformIds { get; } = new();
    /// <summary>Caller number → the call's first intake-to-offer as measured here, with its two ends on the wall clock.</summary>
    public ConcurrentDictionary<string, MeasuredOffer> OfferLatencyByCaller { get; } = new();
    private readonly List<long> _intakeConfirmations = [];
    /// <summary>Run time of every offer an operator's client received, pushed or learned from Resync (the failover's offer gaps).</summary>
    public ConcurrentQueue<TimeSpan> OfferTimes { get; } = new();
    /// <summary>Caller number → the call's first offer received by any operator, pushed or from Resync.</summary>
    public ConcurrentDictionary<string, FirstOffer> FirstOffers { get; } = new();
    /// <summary>Operator clients' lost connections (automatic reconnects), with when each was back and resynced.</summary>
    public ConcurrentQueue<Outage> Outages { get; } = new();

    public long Completed;
    public long Offers;

    public TimeSpan Now => Stopwatch.GetElapsedTime(_start);
    public TimeSpan RunTimeOf(long timestamp) => Stopwatch.GetElapsedTime(_start, timestamp);

    /// <summary>Run time of a wall-clock instant (the service's runtime events carry those).</summary>
    public TimeSpan RunTimeOf(DateTime utc) => utc - _startUtc;
    public long Retries => Interlocked.Read(ref _retries);
    public long Races => Interlocked.Read(ref _races);
    public void Retry() => Interlocked.Increment(ref _retries);

    /// <summary>An expected collision between people, not a fault: the caller hung up as the operator accepted.</summary>
    public void Race() => Interlocked.Increment(ref _races);

    /// <summary>
    /// A call's intake was confirmed by the service (its row is committed): remembers when that intake was
    /// sent, in the order of confirmation, so the n-th call counted by the managers' figures can be matched
    /// to the n-th confirmed intake.
    /// </summary>
    public void IntakeConfirmed(long sentAt)
    {
        lock (_intakeConfirmations) _intakeConfirmations.Add(sentAt);
    }

    /// <summary>When the n-th confirmed intake (1-based) was sent, if there was one.</summary>
    public long? SentAtOfConfirmed(int n)
    {
        lock (_intakeConfirmations) return n >= 1 && n <= _intakeConfirmations.Count ? _intakeConfirmations[n - 1] : null;
    }

    public void OfferArrived(string callerNumber)
    {
        Interlocked.Increment(ref Offers);
        OfferSeen(callerNumber, viaResync: false);
        if (Sent.TryRemove(callerNumber, out var sent))
        {
            var latency = Stopwatch.GetElapsedTime(sent.SentAt);
            OfferLatencyByCaller[callerNumber] = new MeasuredOffer(latency.TotalMilliseconds, sent.SentUtc, DateTime.UtcNow);
            IntakeToOffer.Record(latency, sent.RunTime);
            IntakeToOfferByPhase.GetOrAdd(sent.Phase, p => new LatencyRecorder(p)).Record(latency, sent.RunTime);
        }
    }

    /// <summary>
    /// An offer reached an operator's client, pushed or in Resync's answer after a reconnect: counted
    /// for the failover figures only (intake-to-offer above counts pushed offers, as it always has).
    /// </summary>
    public void OfferSeen(string callerNumber, bool viaResync)
    {
        // One reading of the clock for both: a call's first offer is then exactly one of the offers' times.
        var now = Now;
        OfferTimes.Enqueue(now);
        if (!FirstOffers.ContainsKey(callerNumber) && Sent.TryGetValue(callerNumber, out var sent))
        {
            FirstOffers.TryAdd(callerNumber, new FirstOffer(sent.RunTime, Stopwatch.GetElapsedTime(sent.SentAt).TotalMilliseconds, viaResync, now));
        }
    }
}
