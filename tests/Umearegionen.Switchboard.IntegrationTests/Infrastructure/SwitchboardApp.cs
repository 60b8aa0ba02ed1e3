using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Serilog.Core;
using Umearegionen.Switchboard.Live;

namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// The real service on a database of its own on the real PostgreSQL server. Use as a class
/// fixture; settings can be overridden per test class by subclassing and overriding <see cref="Settings"/>.
/// </summary>
public class SwitchboardApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly string? _sharedDatabase;
    private string? _databaseConnectionString;
    private TcpProxy? _proxy;

    public SwitchboardApp() : this(null) { }

    /// <summary>A second instance on an existing database: the service "restarted".</summary>
    protected SwitchboardApp(string? existingDatabase) => _sharedDatabase = existingDatabase;

    public static readonly string SigningKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));

    /// <summary>The connection string of this app's own database (not through the proxy).</summary>
    public string DatabaseConnectionString => _databaseConnectionString ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>Set when <see cref="UseFakeTime"/> is true: the clock the service reads.</summary>
    public FakeTimeProvider? Clock { get; private set; }

    /// <summary>Route the service's database traffic through a proxy the test can cut.</summary>
    protected virtual bool UseDatabaseProxy => false;

    protected virtual bool UseFakeTime => false;

    public TcpProxy Proxy => _proxy ?? throw new InvalidOperationException("This app has no database proxy.");

    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Where the service's log events also go, for tests that read the log (at the levels <see cref="Settings"/> let through).</summary>
    protected virtual ILogEventSink? LogSink => null;

    public virtual async Task InitializeAsync()
    {
        _databaseConnectionString = _sharedDatabase ?? await TestPostgres.CreateDatabaseAsync();
        if (UseDatabaseProxy)
        {
            var csb = new NpgsqlConnectionStringBuilder(_databaseConnectionString);
            _proxy = new TcpProxy(csb.Host!, csb.Port);
        }

        if (UseFakeTime)
        {
            Clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        }

        // Start the server now, so migrations have run before the first test.
        StartServer();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var connectionString = _databaseConnectionString!;
        if (_proxy is not null)
        {
            connectionString = new NpgsqlConnectionStringBuilder(connectionString)
            {
                Host = "127.0.0.1", Port = _proxy.Port, Timeout = 3, CommandTimeout = 5,
            }.ConnectionString;
        }

        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Switchboard", connectionString);
        builder.UseSetting("Access:SigningKey", SigningKey);
        builder.UseSetting("Access:LoginAttemptsPerMinute", "10000");
        builder.UseSetting("Demo:Enabled", "false");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.Hosting.Lifetime", "Warning");
        builder.UseSetting("Database:StartupRetryFor", "00:00:05");
        // The daily retention run would start at once on a fake clock past its hour; tests that want it turn it on.
        builder.UseSetting("PersonalData:Retention:Enabled", "false");
        // After-call work would hold every operator back 15 s after each call; tests that want it turn it on.
        builder.UseSetting("Routing:AfterCallWork", "00:00:00");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        if (Clock is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
        }

        if (LogSink is { } sink)
        {
            // Serilog's ReadFrom.Services picks up every ILogEventSink registered in the container.
            builder.ConfigureServices(services => services.AddSingleton(sink));
        }
    }

    public T Service<T>() where T : notnull => Services.GetRequiredService<T>();

    /// <summary>On Kestrel (<c>UseKestrel</c>): the address the service listens on, written with 127.0.0.1, which Chromium, Node and a forwarded client reach.</summary>
    public string KestrelAddress => Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
        .First().Replace("[::1]", "127.0.0.1", StringComparison.Ordinal).Replace("localhost", "127.0.0.1", StringComparison.Ordinal);

    /// <summary>Who the access log names for what the tests set up.</summary>
    public static readonly Switchboard.Platform.AccessActor TestActor = new("test-setup", "test setup", Roles.Administrator);

    /// <summary>Creates a local account and returns it with its password.</summary>
    public async Task<(Account Account, string Password)> CreateAccountAsync(string role, string? municipality = null, string? username = null)
    {
        var password = "pw-" + Guid.NewGuid().ToString("N");
        username ??= $"{role}-{Guid.NewGuid():N}"[..24];
        var account = await Service<Accounts>().CreateAsync(
            new NewAccount(username, $"Test {role} {username}", role, municipality, password), TestActor, CancellationToken.None);
        return (account, password);
    }

    public async Task<string> TokenForAsync(string role, string? municipality = null) =>
        TokenFor((await CreateAccountAsync(role, municipality)).Account);

    /// <summary>A token the service issues for the account now, on its own (possibly fake) clock.</summary>
    public string TokenFor(Account account) => Service<TokenIssuer>().Issue(account).AccessToken;

    /// <summary>An HTTP client signed in as a new account with this role.</summary>
    public async Task<HttpClient> ClientForAsync(string role, string? municipality = null) =>
        ClientWithToken(await TokenForAsync(role, municipality));

    /// <summary>A new account with this role and an HTTP client signed in as it, for tests that check who did something.</summary>
    public async Task<(Account Account, HttpClient Client)> AccountAndClientAsync(string role, string? municipality = null)
    {
        var (account, _) = await CreateAccountAsync(role, municipality);
        return (account, ClientFor(account));
    }

    /// <summary>An HTTP client signed in as the account, with a token issued now.</summary>
    public HttpClient ClientFor(Account account) => ClientWithToken(TokenFor(account));

    /// <summary>An HTTP client that sends this bearer token.</summary>
    public HttpClient ClientWithToken(string token)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>An HTTP client for the telephony platform, with a fresh API key.</summary>
    public async Task<HttpClient> TelephonyClientAsync()
    {
        var key = await Service<ApiKeys>().CreateAsync("test platform", Roles.Telephony, TestActor, CancellationToken.None);
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, key.Key);
        return client;
    }

    /// <summary>A real SignalR client (WebSockets through the test server), not yet started.</summary>
    public HubConnection HubConnection(string accessToken, Action<IHubConnectionBuilder>? configure = null)
    {
        var server = Server;
        var builder = new HubConnectionBuilder()
            .WithUrl(new Uri(server.BaseAddress, SwitchboardHub.Path.TrimStart('/')), o =>
            {
                o.Transports = HttpTransportType.WebSockets;
                o.SkipNegotiation = true;
                o.AccessTokenProvider = () => Task.FromResult<string?>(accessToken);
                o.HttpMessageHandlerFactory = _ => server.CreateHandler();
                o.WebSocketFactory = async (context, ct) =>
                {
                    var client = server.CreateWebSocketClient();
                    return await client.ConnectAsync(
                        new UriBuilder(context.Uri) { Query = "access_token=" + Uri.EscapeDataString(accessToken) }.Uri, ct);
                };
            });
        configure?.Invoke(builder);
        return builder.Build();
    }

    /// <summary>Stops the service (as a restart test does); the database stays.</summary>
    public override async ValueTask DisposeAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await base.DisposeAsync();
        }
    }

    private bool _stopped;

    /// <summary>The end of the test class: stop the service, then drop its database.</summary>
    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
            _proxy = null;
        }

        if (_sharedDatabase is null && _databaseConnectionString is not null)
        {
            await TestPostgres.DropDatabaseAsync(_databaseConnectionString);
            _databaseConnectionString = null;
        }
    }
}
