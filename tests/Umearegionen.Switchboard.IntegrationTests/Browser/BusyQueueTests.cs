namespace Umearegionen.Switchboard.IntegrationTests.Browser;

public sealed class BusyQueueTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task WithTwoHundredCallsWaitingTheOperatorSeesTheCountAndTheFirstThirtyAndTheManagerTheQueueLength()
    {
        string[] numbers = ["+4693214000", "+4693014000", "+4693414000", "+4690161000", "+4693314000", "+4693514000"];
        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (i, _) => await PlaceCallAsync(app, numbers[i % numbers.Length], i % 3 == 0 ? "vatten" : null));

        var operatorPage = await SignedInAsync(app, Roles.Operator, "2480");
        await Assertions.Expect(operatorPage.Locator("#queue-summary")).ToContainTextAsync("200 väntar");
        await Assertions.Expect(operatorPage.Locator("#queue-summary")).ToContainTextAsync("visar de 30 första");
        await Assertions.Expect(operatorPage.Locator("#queue-rows tr")).ToHaveCountAsync(30);
        await BrowserApp.ScreenshotAsync(operatorPage, "operator-busy-queue");

        var managerPage = await SignedInAsync(app, Roles.Manager);
        await Assertions.Expect(managerPage.Locator("#m-queue")).ToHaveTextAsync("200");
        await Assertions.Expect(managerPage.Locator("#per-municipality td[data-municipality='2480']")).ToHaveTextAsync("33");
    }
}
