namespace Umearegionen.Switchboard.IntegrationTests.Access;

public sealed class SessionOptionsTests
{
    [Theory]
    [InlineData("Access:SessionLifetime", "00:30:00", "Access:SessionLifetime (00:30:00) must be at least Access:TokenLifetime")]
    [InlineData("Access:RevocationCheckInterval", "00:05:00", "RevocationCheckInterval")]
    public async Task ServiceRefusesToStartWithABadSessionSettingAndNamesIt(string key, string value, string expected)
    {
        var app = new BadSettingApp(key, value);
        try
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => ((IAsyncLifetime)app).InitializeAsync());

            Assert.Contains(expected, error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            await ((IAsyncLifetime)app).DisposeAsync();
        }
    }

    private sealed class BadSettingApp(string key, string value) : SwitchboardApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { [key] = value };
    }
}
