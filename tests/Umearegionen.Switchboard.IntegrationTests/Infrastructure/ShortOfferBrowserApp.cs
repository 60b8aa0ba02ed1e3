namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>The browser fixture with offers that lapse after 4 s, for what the page does when an operator lets one ring out.</summary>
public class ShortOfferBrowserApp : BrowserApp
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Routing:OfferTimeout"] = "00:00:04",
    };
}
