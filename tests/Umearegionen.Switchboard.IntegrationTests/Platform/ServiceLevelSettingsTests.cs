namespace Umearegionen.Switchboard.IntegrationTests.Platform;

/// <summary>
/// The live view and the reports read one service level (ServiceLevel:Target, ServiceLevel:ShortAbandon). A deployment
/// that still sets the old, separate keys is stopped at start and told where they went, not silently ignored.
/// </summary>
public sealed class ServiceLevelSettingsTests
{
    [Theory]
    [InlineData("Routing:ServiceLevelTarget", "00:00:30")]
    [InlineData("Statistics:ShortAbandon", "00:00:03")]
    public async Task ServiceRefusesToStartWithAServiceLevelSettingUnderItsOldNameAndSaysWhereItWent(string key, string value)
    {
        var app = new SettingApp(key, value);
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ((IAsyncLifetime)app).InitializeAsync());

            Assert.Contains($"{key} moved to ServiceLevel:Target and ServiceLevel:ShortAbandon", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    [Fact]
    public async Task ServiceRefusesATargetOfZeroAndNamesTheSetting()
    {
        var app = new SettingApp("ServiceLevel:Target", "00:00:00");
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ((IAsyncLifetime)app).InitializeAsync());

            Assert.Contains("Target", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    private sealed class SettingApp(string key, string value) : SwitchboardApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { [key] = value };
    }
}
