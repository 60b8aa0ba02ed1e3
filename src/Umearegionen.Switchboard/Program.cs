using Umearegionen.Switchboard.Answers;
using Umearegionen.Switchboard.Directory;
using Umearegionen.Switchboard.Guidance;
using Umearegionen.Switchboard.Live;
using Umearegionen.Switchboard.OpeningHours;
using Umearegionen.Switchboard.PersonalData;
using Umearegionen.Switchboard.Platform.Demo;
using Umearegionen.Switchboard.Platform.Migrations;
using Umearegionen.Switchboard.Statistics;

var builder = WebApplication.CreateBuilder(args);
DapperSetup.Configure();

// Platform: logging, database, errors, health, API documentation, the clock.
builder.AddLogging();
builder.AddDatabase();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddProblems();
builder.Services.AddServiceLevel();
builder.Services.AddHealth();
builder.Services.AddApiDocumentation();
builder.Services.AddForwardedClients();

// One node among any number: registration, leadership for the work done once, signals, the Redis backplane.
builder.AddCluster();

// Who may do what: accounts, tokens, API keys, roles.
builder.AddAccess();

// Live updates to dashboards.
builder.Services.AddLive();

// The shared directory: municipalities, units, people, search.
builder.Services.AddDirectory();

// Opening hours: rules per unit and for the switchboard, the Swedish calendar.
builder.Services.AddOpeningHours();

// Routing: calls from the telephony platform, the queue, operators, outcomes, notices.
builder.Services.AddCallRouting();

// Guidance: links to e-services and answers sent to callers by SMS or e-mail, through an outbox.
builder.Services.AddGuidance();

// Statistics: call figures for managers and the fair split of costs.
builder.Services.AddStatistics();

// Personal data: retention times, the daily removal of what has passed them, erasure on request.
builder.Services.AddPersonalData();

// Register extracts for administrators: everything stored about a phone number or a name.
builder.Services.AddRegisterExtracts();

var app = builder.Build();

// Administrative commands (migrate, accounts create, api-keys create) run instead of serving.
if (Commands.IsCommand(args))
{
    return await Commands.RunAsync(app, args);
}

// Schema first, then demo data on a demo installation's first start.
await app.MigrateDatabaseAsync();
await app.SeedDemoAsync();

// The client's address behind a known proxy and the headers that fence the dashboard in, first; then
// request logging outside the error handling, so it records the status the client got (a 400 for bad input).
app.UseForwardedClients();
app.UseSecurityHeaders();
app.UseRequestLogging();
app.UseProblems();
app.UseDashboard();
app.UseAccess();
app.UseRateLimiter();

app.MapHealth();
app.MapApiDocumentation();
app.MapAuth();
app.MapAccounts();
app.MapAccessLog();
app.MapLive();
app.MapDirectory();
app.MapAnswers();
app.MapOpeningHours();
app.MapCallRouting();
app.MapStatistics();
app.MapPersonalData();
app.MapRegisterExtracts();

await app.RunAsync();
return 0;

public partial class Program;
