using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using Umearegionen.Switchboard.Platform;

namespace Umearegionen.Switchboard.UnitTests.Platform;

public sealed class DatabaseRegistrationTests
{
    private static NpgsqlConnectionStringBuilder Registered(string connectionString)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Switchboard"] = connectionString,
        });
        builder.AddDatabase();
        using var services = builder.Services.BuildServiceProvider();
        return new NpgsqlConnectionStringBuilder(services.GetRequiredService<NpgsqlDataSource>().ConnectionString);
    }

    [Fact]
    public void WithoutAPoolSizeInTheConnectionStringAtMost24StatementsRunAtOnceWithoutResetsAndWithPreparedStatements()
    {
        var settings = Registered("Host=127.0.0.1;Port=5432;Username=u;Password=p;Database=d");

        Assert.Equal(DatabaseRegistration.DefaultMaxPoolSize, settings.MaxPoolSize);
        Assert.Equal(24, settings.MaxPoolSize);
        Assert.True(settings.NoResetOnClose);
        Assert.Equal(64, settings.MaxAutoPrepare);
    }

    [Fact]
    public void WithoutAMinimumInTheConnectionStringOpenedConnectionsAreKeptUpToThePoolsSize()
    {
        Assert.Equal(24, Registered("Host=127.0.0.1;Username=u;Password=p;Database=d").MinPoolSize);
        Assert.Equal(80, Registered("Host=127.0.0.1;Username=u;Password=p;Database=d;Maximum Pool Size=80").MinPoolSize);
    }

    [Theory]
    [InlineData("Minimum Pool Size=2")]
    [InlineData("MinPoolSize=2")]
    public void AConnectionStringThatSetsItsOwnMinimumKeepsIt(string setting)
    {
        var settings = Registered("Host=127.0.0.1;Username=u;Password=p;Database=d;" + setting);

        Assert.Equal(2, settings.MinPoolSize);
        Assert.Equal(24, settings.MaxPoolSize);
    }

    [Theory]
    [InlineData("Maximum Pool Size=80")]
    [InlineData("MaxPoolSize=80")]
    [InlineData("maximum pool size=80")]
    public void AConnectionStringThatSetsItsOwnPoolSizeKeepsIt(string setting)
    {
        var settings = Registered("Host=127.0.0.1;Username=u;Password=p;Database=d;" + setting + ";No Reset On Close=false");

        Assert.Equal(80, settings.MaxPoolSize);
        Assert.False(settings.NoResetOnClose);
    }
}
