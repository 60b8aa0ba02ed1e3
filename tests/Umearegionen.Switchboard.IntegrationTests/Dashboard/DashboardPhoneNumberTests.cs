namespace Umearegionen.Switchboard.IntegrationTests.Dashboard;

/// <summary>
/// The dashboard's Swedish telephone numbers (wwwroot/js/phone.js) are pure JavaScript: its table of cases
/// (phone.test.mjs) runs in Node's own test runner, as the error texts do.
/// </summary>
public sealed class DashboardPhoneNumberTests
{
    [Fact]
    public async Task NumbersReadInTheSwedishNationalFormAndForeignOnesAsGiven()
    {
        var output = await NodeTestRunner.RunAsync("phone.test.mjs");
        Assert.Contains("# pass 4", output, StringComparison.Ordinal);
    }
}
