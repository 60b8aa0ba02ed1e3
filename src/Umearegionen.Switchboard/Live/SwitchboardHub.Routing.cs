namespace Umearegionen.Switchboard.Live;

/// <summary>
/// Routing's hub methods (docs/hub.md). Thin: each names who may call it (<see cref="HubPolicyAttribute"/>,
/// checked by <see cref="HubRefusals"/>) and hands over to Routing.
/// </summary>
public sealed partial class SwitchboardHub
{
    private Guid Me => Guid.Parse(Context.User!.Id());

    private IServiceProvider Services => Context.GetHttpContext()?.RequestServices
        ?? throw new InvalidOperationException("The hub connection has no HTTP context.");

    private async Task RoutingConnectedAsync()
    {
        var user = Context.User!;
        await Groups.AddToGroupAsync(Context.ConnectionId, HubGroups.Account(user.Id()));
        if (user.IsInRole(Roles.Operator))
        {
            await Services.GetRequiredService<OperatorPresence>().ConnectedAsync(Me, Context.ConnectionId, user.MunicipalityCode(), Context.ConnectionAborted);
        }
    }

    private async Task RoutingDisconnectedAsync()
    {
        if (Context.User?.IsInRole(Roles.Operator) == true)
        {
            await Services.GetRequiredService<OperatorPresence>().DisconnectedAsync(Me, Context.ConnectionId);
        }
    }

    [HubPolicy(Policies.Operators)]
    public Task<OperatorState> SetStatus(SetStatusRequest request, OperatorPresence presence) =>
        presence.SetStatusAsync(Me, request, Context.ConnectionAborted);

    /// <summary>End your after-call work now: you are available for the next call.</summary>
    [HubPolicy(Policies.Operators)]
    public Task<OperatorState> EndAfterCallWork(OperatorPresence presence) =>
        presence.EndAfterCallWorkAsync(Me, Context.ConnectionAborted);

    /// <summary>Add Routing:AfterCallWorkExtension to your after-call work, up to Routing:AfterCallWorkLimit.</summary>
    [HubPolicy(Policies.Operators)]
    public Task<OperatorState> ExtendAfterCallWork(OperatorPresence presence) =>
        presence.ExtendAfterCallWorkAsync(Me, Context.ConnectionAborted);

    /// <summary>Accept the call offered to you, or pick a waiting call from the queue.</summary>
    [HubPolicy(Policies.Operators)]
    public Task<CallView> AcceptCall(Guid callId, CallHandling calls) => calls.AcceptAsync(Me, callId, Context.ConnectionAborted, Context.ConnectionId);

    /// <summary>A call's likely destinations, best first (also in AcceptCall's and Resync's CallView).</summary>
    [HubPolicy(Policies.Operators)]
    public Task<IReadOnlyList<SuggestedDestination>> GetSuggestions(Guid callId, CallHandling calls) =>
        calls.SuggestionsAsync(callId, Context.ConnectionAborted);

    /// <summary>The caller's earlier calls (also in AcceptCall's and Resync's CallView); only for the operator who has the call.</summary>
    [HubPolicy(Policies.Operators)]
    public Task<IReadOnlyList<RecentContact>> GetRecentContacts(Guid callId, RecentContacts contacts) =>
        contacts.ForOperatorAsync(Me, callId, Context.ConnectionAborted);

    [HubPolicy(Policies.Operators)]
    public Task DeclineOffer(Guid callId, CallHandling calls) => calls.DeclineAsync(Me, callId, Context.ConnectionAborted);

    [HubPolicy(Policies.Operators)]
    public Task<CallView> StartConsultation(ConsultRequest request, CallHandling calls) =>
        calls.ConsultAsync(Me, request, Context.ConnectionAborted);

    [HubPolicy(Policies.Operators)]
    public Task<CallView> CancelConsultation(Guid callId, CallHandling calls) =>
        calls.CancelConsultationAsync(Me, callId, Context.ConnectionAborted);

    [HubPolicy(Policies.Operators)]
    public Task<CallView> TransferCall(TransferRequest request, CallHandling calls) =>
        calls.TransferAsync(Me, request, Context.ConnectionAborted);

    [HubPolicy(Policies.Operators)]
    public Task<CallView> AnswerCall(AnswerRequest request, CallHandling calls) =>
        calls.AnswerAsync(Me, request, Context.ConnectionAborted);

    [HubPolicy(Policies.Operators)]
    public Task<CallView> BookCallback(CallbackRequest request, CallHandling calls) =>
        calls.BookCallbackAsync(Me, request, Context.ConnectionAborted);

    [HubPolicy(Policies.Operators)]
    public Task<CallView> TakeMessage(MessageRequest request, CallHandling calls) =>
        calls.TakeMessageAsync(Me, request, Context.ConnectionAborted);

    [HubPolicy(Policies.Operators)]
    public Task<CallView> RegisterFaultReport(FaultReportRequest request, CallHandling calls) =>
        calls.RegisterFaultReportAsync(Me, request, Context.ConnectionAborted);

    /// <summary>Everything an operator's screen shows, after connecting or reconnecting.</summary>
    [HubPolicy(Policies.Operators)]
    public Task<OperatorSync> Resync(LiveView view) => view.SyncAsync(Me, Context.ConnectionAborted);

    [HubPolicy(Policies.Managers)]
    public Task<ManagerView> GetManagerView(LiveView view) => view.ManagerViewAsync(Context.ConnectionAborted);

    [HubPolicy(Policies.Managers)]
    public Task<IReadOnlyList<OperatorSummary>> GetOperators(LiveView view) => view.OperatorsAsync(Context.ConnectionAborted);

    [HubPolicy(Policies.Staff)]
    public Task<QueueSnapshot> GetQueue(LiveView view) => view.QueueAsync(Context.ConnectionAborted);

    [HubPolicy(Policies.Staff)]
    public IReadOnlyList<NoticeView> GetNotices(NoticeBoard notices) => notices.Current();
}
