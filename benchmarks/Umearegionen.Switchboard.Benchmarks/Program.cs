using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Umearegionen.Switchboard.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Umearegionen.Switchboard.Benchmarks.OpeningHoursBenchmarks).Assembly).Run(args);
