namespace Umearegionen.Switchboard.IntegrationTests.Infrastructure;

/// <summary>
/// The real service on Kestrel (a real port on 127.0.0.1) and Debian's Chromium driven headless by
/// Playwright, without any browser download. Screenshots go to artifacts/screenshots (ignored by git).
/// </summary>
public class BrowserApp : SwitchboardApp
{
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    // Expectations wait up to 15 s, not Playwright's 5: in a full run, two cores serve every test class's
    // service and browser at once, and a page can take seconds to show what it will show. One that never
    // comes still fails.
    static BrowserApp() => Assertions.SetDefaultExpectTimeout(15_000);

    public BrowserApp() => UseKestrel(0);

    public IBrowser Browser { get; private set; } = null!;

    public string BaseAddress { get; private set; } = "";

    public static string ScreenshotFolder => Path.Combine(TestPostgres.RepositoryRoot(), "artifacts", "screenshots");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        BaseAddress = KestrelAddress;
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException($"{ChromiumPath} is missing: install Debian's chromium (scripts/test.sh browser and all do).");
        }

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--lang=sv-SE",
            ],
        });
        System.IO.Directory.CreateDirectory(ScreenshotFolder);
    }

    /// <summary>A page in a context of its own; <paramref name="baseAddress"/> (e.g. a <see cref="TcpProxy"/> in front of Kestrel) instead of the service's.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 720, string? baseAddress = null, string locale = "sv-SE")
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = height },
            Locale = locale,
            TimezoneId = "Europe/Stockholm",
            BaseURL = baseAddress ?? BaseAddress,
        });
        return await context.NewPageAsync();
    }

    public static Task ScreenshotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = true });

    public override async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
