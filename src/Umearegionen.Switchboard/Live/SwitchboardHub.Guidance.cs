using Umearegionen.Switchboard.Guidance;

namespace Umearegionen.Switchboard.Live;

/// <summary>Guidance's hub methods (docs/hub.md, "Guidance"): send the caller a link, see what was sent.</summary>
public sealed partial class SwitchboardHub
{
    /// <summary>Send the caller of your current call a link to an answer or an e-service by SMS or e-mail.</summary>
    [HubPolicy(Policies.Operators)]
    public Task<GuidanceView> SendGuidance(SendGuidanceRequest request, GuidanceSends guidance) =>
        guidance.SendAsync(Me, request, Context.ConnectionAborted);

    /// <summary>The links sent during a call you have (or had), oldest first.</summary>
    [HubPolicy(Policies.Operators)]
    public Task<IReadOnlyList<GuidanceView>> GetGuidance(Guid callId, GuidanceSends guidance) =>
        guidance.ForCallAsync(Me, callId, Context.ConnectionAborted);
}
