using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Umearegionen.Switchboard.Contracts;

namespace Umearegionen.Switchboard.LoadTests;

/// <summary>
/// An operator as a real SignalR client with a person's behaviour: accepts an offer after a short
/// delay, handles the call for a while, ends it with one of the scenario's outcomes, sometimes
/// pauses, and after a dropped connection reconnects and resyncs.
/// </summary>
/// <remarks>
/// With hub options (a multi-node run) it negotiates first, as a browser does, and its connection's
/// cookie container keeps haproxy's sticky cookie for the WebSocket; it names itself in a header for
/// haproxy's log. Without (one node, as always) it goes straight to the WebSocket.
/// </remarks>
public sealed class OperatorClient(RunState run, Uri url, string token, int seed, string unitId, HubClientOptions? hub = null)
{
    private readonly Random _random = new(seed);
    private readonly object _gate = new();
    private readonly HashSet<Guid> _handling = [];
    private readonly HashSet<Guid> _withdrawn = [];
    private HubConnection? _connection;
    private volatile bool _dropped;
    private CancellationToken _stop;
    private TimeSpan? _lostAt;

    public bool Connected => _connection?.State == HubConnectionState.Connected;

    public async Task StartAsync(CancellationToken stop)
    {
        _stop = stop;
        _connection = Build();
        await _connection.StartAsync(stop);
        await _connection.InvokeAsync<OperatorState>("SetStatus", new SetStatusRequest(OperatorStatuses.Available), stop);
    }

    private HubConnection Build()
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(url, "/hubs/switchboard"), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = hub is null;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
                if (hub is not null) o.Headers[Harness.HaproxyConfig.ClientHeader] = hub.Name;
            })
            .WithAutomaticReconnect(new Reconnect())
            .Build();
        connection.ServerTimeout = TimeSpan.FromSeconds(30);
        connection.On<CallOffer>(nameof(ISwitchboardClient.OfferReceived), offer =>
        {
            run.OfferArrived(offer.Call.CallerNumber);
            lock (_gate) _withdrawn.Remove(offer.Call.Id);
            Handle(offer.Call, accepted: false);
        });
        // The banner goes away: a person does not accept an offer the service took back (it lapsed, the caller hung up,
        // or this operator paused while it rang: the pause after a call races the next offer, and the service now says so).
        // The reconciler counts offers and stop_ringing from the database, so the withdrawal changes none of its sums.
        connection.On<OfferWithdrawn>(nameof(ISwitchboardClient.OfferWithdrawn), withdrawn =>
        {
            lock (_gate) _withdrawn.Add(withdrawn.CallId);
        });
        connection.On<OperatorState>(nameof(ISwitchboardClient.OperatorStateChanged), state =>
        {
            // Paused by the service after a missed offer: a person notices and becomes available again.
            if (state.Status == OperatorStatuses.Paused) _ = Task.Run(() => SetAvailableAsync());
        });
        // An outage: from noticing the lost connection to being connected and resynced again.
        connection.Reconnecting += _ =>
        {
            if (!_dropped) _lostAt ??= run.Now;
            return Task.CompletedTask;
        };
        connection.Reconnected += async _ =>
        {
            var resynced = await ResyncAsync();
            if (_lostAt is { } lost)
            {
                run.Outages.Enqueue(new Outage(hub?.Name ?? "operator", lost, resynced ? run.Now : null));
                _lostAt = null;
            }
        };
        connection.Closed += _ =>
        {
            // The automatic reconnect gave up (not a drop the scenario made, nor the end of the run).
            if (_lostAt is { } lost && !_dropped && !_stop.IsCancellationRequested)
            {
                run.Outages.Enqueue(new Outage(hub?.Name ?? "operator", lost, null));
                _lostAt = null;
            }

            return Task.CompletedTask;
        };
        return connection;
    }

    private sealed class Reconnect : IRetryPolicy
    {
        public TimeSpan? NextRetryDelay(RetryContext context) =>
            context.ElapsedTime < TimeSpan.FromMinutes(3) ? TimeSpan.FromMilliseconds(context.PreviousRetryCount == 0 ? 100 : 1000) : null;
    }

    /// <summary>After a reconnect: carry on with the call in hand or the offer pending, and be available. False if Resync failed.</summary>
    private async Task<bool> ResyncAsync()
    {
        try
        {
            var sync = await _connection!.InvokeAsync<OperatorSync>("Resync", _stop);
            if (sync.CurrentCall is { } call) Handle(call, accepted: true);
            else if (sync.Offer is { } offer)
            {
                run.OfferSeen(offer.Call.CallerNumber, viaResync: true);
                Handle(offer.Call, accepted: false);
            }

            if (sync.Me is { Status: not OperatorStatuses.Available }) await SetAvailableAsync();
            return true;
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            run.Errors.Add("operator: resync " + Kind(e));
            return false;
        }
    }

    /// <summary>At the end of the run: a connection still lost is an outage that never ended.</summary>
    public void RecordOpenOutage()
    {
        if (_lostAt is { } lost) run.Outages.Enqueue(new Outage(hub?.Name ?? "operator", lost, null));
        _lostAt = null;
    }

    private async Task SetAvailableAsync()
    {
        try
        {
            await InvokeWithRetryAsync<OperatorState>("SetStatus", new SetStatusRequest(OperatorStatuses.Available));
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            run.Errors.Add("operator: set status " + Kind(e));
        }
    }

    private void Handle(CallView call, bool accepted)
    {
        lock (_gate)
        {
            if (!_handling.Add(call.Id)) return;
        }

        // Never await an invocation inside a handler: the client handles one message at a time.
        _ = Task.Run(async () =>
        {
            try
            {
                await HandleAsync(call, accepted);
            }
            finally
            {
                lock (_gate) _handling.Remove(call.Id);
            }
        });
    }

    private async Task HandleAsync(CallView call, bool accepted)
    {
        var behaviour = run.Scenario.Behaviour;
        TimeSpan acceptDelay, handleTime;
        string outcome;
        lock (_random)
        {
            acceptDelay = behaviour.AcceptDelay.Draw(_random);
            handleTime = behaviour.HandleTime.Draw(_random);
            outcome = Pick(behaviour.Outcomes);
        }

        try
        {
            if (!accepted)
            {
                await Task.Delay(acceptDelay, _stop);
                if (_dropped || !Connected) return; // the offer stays with the service; Resync after reconnecting picks it up
                lock (_gate)
                {
                    if (_withdrawn.Remove(call.Id))
                    {
                        run.Race();
                        return;
                    }
                }

                var started = run.Now;
                var clock = System.Diagnostics.Stopwatch.StartNew();
                try
                {
                    await AcceptAsync(call.Id);
                }
                catch (HubException e) when (IsRace(e, call) || (Code(e) == HubErrors.AlreadyOnCall && HandlingAnother(call)))
                {
                    // Already on another call: this offer was stale (withdrawn and re-offered while the
                    // withdrawal was still on its way); the service refused it, as it must.
                    run.Race();
                    return;
                }
                catch (Exception e) when (e is not HubException && !_stop.IsCancellationRequested)
                {
                    // Connection lost mid-call: whether it was accepted is learned from Resync after reconnecting.
                    run.Retry();
                    return;
                }

                run.AcceptToConfirmed.Record(clock.Elapsed, started);
                run.Accepted[call.CallerNumber] = true;
            }

            await Task.Delay(handleTime, _stop);
            await EndAsync(call, outcome, fromResync: accepted);
            Interlocked.Increment(ref run.Completed);
            if (behaviour.PauseProbability > 0)
            {
                TimeSpan? pause = null;
                lock (_random)
                {
                    if (_random.NextDouble() < behaviour.PauseProbability) pause = behaviour.PauseTime.Draw(_random);
                }

                if (pause is { } p)
                {
                    await InvokeWithRetryAsync<OperatorState>("SetStatus", new SetStatusRequest(OperatorStatuses.Paused, "Rast"));
                    await Task.Delay(p, _stop);
                    await InvokeWithRetryAsync<OperatorState>("SetStatus", new SetStatusRequest(OperatorStatuses.Available));
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (HubException e)
        {
            run.Errors.Add($"operator: {Code(e)}");
        }
        catch (Exception e) when (!_stop.IsCancellationRequested)
        {
            run.Errors.Add("operator: " + Kind(e));
        }
    }

    /// <summary>Accepts; a server error without a code (e.g. the database restarting) is tried again, as a person would, until the offer lapses.</summary>
    private async Task AcceptAsync(Guid callId)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                await _connection!.InvokeAsync<CallView>("AcceptCall", callId, _stop);
                return;
            }
            catch (HubException e) when (IsTransient(e) && DateTime.UtcNow < deadline)
            {
                run.Retry();
                await Task.Delay(250, _stop);
            }
        }
    }

    /// <summary>
    /// The service failed rather than refused (docs/hub.md): <c>server-error</c>, or an error without a code from a
    /// service older than that code. Worth trying again: accepting and ending are safe to repeat.
    /// </summary>
    internal static bool IsTransient(HubException e) =>
        !e.Message.Contains("HubException: ", StringComparison.Ordinal) || Code(e) == HubErrors.ServerError;

    /// <summary>
    /// The call moved on before the operator accepted: the caller hung up, or (after a dropped
    /// connection or a restart) the offer lapsed and went to someone else. People collide like this;
    /// the reconciliation shows whether any call was lost by it.
    /// </summary>
    private bool HandlingAnother(CallView call)
    {
        lock (_gate) return _handling.Any(id => id != call.Id);
    }

    private static bool IsRace(HubException e, CallView call) =>
        Code(e) is HubErrors.WrongState or HubErrors.OfferExpired or HubErrors.CallTaken;

    /// <remarks>A call learned from Resync may have been ended by this operator meanwhile (the sync was taken just before): then "wrong-state" means done.</remarks>
    private Task EndAsync(CallView call, string outcome, bool fromResync)
    {
        var now = DateTimeOffset.UtcNow;
        var category = "load-" + outcome;
        return outcome switch
        {
            OutcomeKinds.Answer => EndWithRetryAsync(fromResync, "AnswerCall", new AnswerRequest(call.Id, category, "Svarade direkt")),
            OutcomeKinds.Callback => EndWithRetryAsync(fromResync, "BookCallback", new CallbackRequest(call.Id, unitId, "Bygglov",
                now.AddHours(1), now.AddHours(3), category, "Inringare", null, "Vill bli uppringd")),
            OutcomeKinds.Message => EndWithRetryAsync(fromResync, "TakeMessage", new MessageRequest(call.Id, "unit", unitId, "Bygglov",
                "bygglov@example.invalid", "Ring tillbaka om ärendet", category)),
            OutcomeKinds.FaultReport => EndWithRetryAsync(fromResync, "RegisterFaultReport", new FaultReportRequest(call.Id,
                call.MunicipalityCode ?? "2480", "Vattenläcka", "Storgatan 1", "+46701234567", category)),
            _ => EndWithRetryAsync(fromResync, "TransferCall", new TransferRequest(call.Id, "blind",
                new Destination("number", null, "+4690161000", "Umeå kommun"), category)),
        };
    }

    /// <summary>Ends the call; if the connection is lost, again after reconnecting ("wrong-state" then means it was already ended).</summary>
    private async Task EndWithRetryAsync(bool fromResync, string method, object request)
    {
        var retried = new StrongBox<bool>();
        try
        {
            await InvokeWithRetryAsync<CallView>(method, request, retried);
        }
        catch (HubException e) when (Code(e) == HubErrors.WrongState && (retried.Value || fromResync))
        {
            run.Race();
        }
    }

    private async Task<T> InvokeWithRetryAsync<T>(string method, object request, StrongBox<bool>? retried = null)
    {
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (true)
        {
            _stop.ThrowIfCancellationRequested();
            if (!Connected || _dropped)
            {
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"{method}: not reconnected within 3 minutes");
                await Task.Delay(200, _stop);
                continue;
            }

            try
            {
                return await _connection!.InvokeAsync<T>(method, request, _stop);
            }
            catch (Exception e) when ((e is not HubException || IsTransient((HubException)e)) && !_stop.IsCancellationRequested && DateTime.UtcNow < deadline)
            {
                run.Retry();
                if (retried is not null) retried.Value = true;
                await Task.Delay(200, _stop);
            }
        }
    }

    /// <summary>Drops the connection (the operator's network goes) and reconnects after a while.</summary>
    public async Task DropAsync(TimeSpan @for)
    {
        _dropped = true;
        await _connection!.StopAsync();
        await Task.Delay(@for, _stop);
        await _connection.StartAsync(_stop);
        _dropped = false;
        await ResyncAsync();
    }

    private string Pick(IReadOnlyDictionary<string, double> weights)
    {
        var x = _random.NextDouble() * weights.Values.Sum();
        foreach (var (key, weight) in weights)
        {
            if ((x -= weight) < 0) return key;
        }

        return weights.Keys.Last();
    }

    /// <summary>The service's error code ("wrong-state", ...): the client sees "An unexpected error occurred invoking 'X' on the server. HubException: code: text".</summary>
    internal static string Code(HubException e)
    {
        const string Marker = "HubException: ";
        var at = e.Message.IndexOf(Marker, StringComparison.Ordinal);
        var message = at < 0 ? e.Message : e.Message[(at + Marker.Length)..];
        return message.Split(':')[0].Trim();
    }

    private static string Kind(Exception e) => e.GetType().Name;

    public async Task DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
    }
}

/// <summary>How a hub client connects in a multi-node run: its name (in haproxy's log) and that it negotiates first.</summary>
public sealed record HubClientOptions(string Name);
