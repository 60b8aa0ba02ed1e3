using System.Text.Json;

namespace Umearegionen.Switchboard.UnitTests.Platform;

/// <summary>The service's runtime settings that measurements chose (docs/decisions/0012-idle-threads-sleep.md).</summary>
public sealed class RuntimeConfigurationTests
{
    [Fact]
    public void TheServicesIdleThreadPoolThreadsSleepInsteadOfSpinning()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Umearegionen.Switchboard.runtimeconfig.json");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        var options = document.RootElement.GetProperty("runtimeOptions").GetProperty("configProperties");

        Assert.True(options.TryGetProperty("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", out var spinLimit),
            $"{path} does not set System.Threading.ThreadPool.UnfairSemaphoreSpinLimit");
        Assert.Equal(0, spinLimit.ValueKind == JsonValueKind.String ? int.Parse(spinLimit.GetString()!) : spinLimit.GetInt32());
    }
}
