using System.Diagnostics;

namespace Umearegionen.Switchboard.StatisticsBench;

internal sealed class Args(IReadOnlyList<string> args)
{
    public static Args Parse(string[] args) => new(args);

    public string? Text(string name)
    {
        for (var i = 0; i < args.Count - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }

        return null;
    }

    public int Int(string name, int fallback) => Text(name) is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public bool Flag(string name) => args.Contains(name);
}

/// <summary>Starts the project-local PostgreSQL cluster (scripts/local-postgres.sh) and returns its admin connection string.</summary>
internal static class LocalCluster
{
    public static string Start()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Umearegionen.Switchboard.sln")))
        {
            dir = dir.Parent;
        }

        var root = dir?.FullName ?? throw new InvalidOperationException("Run the benchmark from inside the repository, or pass --admin.");
        using var process = Process.Start(new ProcessStartInfo("bash", [Path.Combine(root, "scripts", "local-postgres.sh"), "start"])
        {
            RedirectStandardOutput = true,
        })!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException("scripts/local-postgres.sh start failed; pass --admin instead.");
        }

        return output.Trim().Split('\n')[^1];
    }
}
