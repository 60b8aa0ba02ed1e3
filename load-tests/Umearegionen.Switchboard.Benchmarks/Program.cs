using BenchmarkDotNet.Running;
using Umearegionen.Switchboard.Benchmarks;

// In-memory benchmarks:  dotnet run -c Release --project benchmarks/Umearegionen.Switchboard.Benchmarks -- --filter '*'
// Open-now on PostgreSQL: dotnet run -c Release --project benchmarks/Umearegionen.Switchboard.Benchmarks -- open-now [calls]
// Suggested destinations:  dotnet run -c Release --project load-tests/Umearegionen.Switchboard.Benchmarks -- suggestions [calls]
if (args.FirstOrDefault() == "suggestions")
{
    return await SuggestionsBench.RunAsync(args);
}

if (args.FirstOrDefault() == "open-now")
{
    return await OpenNowBench.RunAsync(args);
}

BenchmarkSwitcher.FromAssembly(typeof(OpeningHoursBenchmarks).Assembly).Run(args);
return 0;
