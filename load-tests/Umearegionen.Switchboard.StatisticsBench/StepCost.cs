using System.Globalization;

namespace Umearegionen.Switchboard.StatisticsBench;

/// <summary>What a generation step cost beside its time: the server's CPU and the machine's load average.</summary>
public static class StepCost
{
    /// <summary>
    /// The CPU seconds (user and system) a process has used, from /proc/&lt;pid&gt;/stat: null when there is no
    /// such process here (the server runs elsewhere) or it cannot be read.
    /// </summary>
    public static double? ServerCpuSeconds(int processId)
    {
        try
        {
            var path = $"/proc/{processId}/stat";
            return File.Exists(path) ? CpuSeconds(File.ReadAllText(path)) : null;
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>
    /// utime + stime of a /proc/&lt;pid&gt;/stat line, in seconds (Linux counts them in clock ticks of 1/100 s).
    /// The command name in parentheses may hold spaces, so the fields are counted after its closing parenthesis.
    /// </summary>
    public static double? CpuSeconds(string stat)
    {
        var close = stat.LastIndexOf(')');
        if (close < 0)
        {
            return null;
        }

        // After ")": state is field 3, utime field 14 and stime field 15.
        var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return fields.Length > 12
               && long.TryParse(fields[11], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
               && long.TryParse(fields[12], NumberStyles.None, CultureInfo.InvariantCulture, out var system)
            ? (user + system) / 100.0
            : null;
    }

    /// <summary>The CPU seconds spent between two readings of the same processes; null when any reading is missing.</summary>
    public static double? Spent(IReadOnlyList<double?> before, IReadOnlyList<double?> after)
    {
        double total = 0;
        for (var i = 0; i < before.Count; i++)
        {
            if (before[i] is not { } b || after[i] is not { } a)
            {
                return null;
            }

            total += a - b;
        }

        return total;
    }

    /// <summary>The machine's one-minute load average (/proc/loadavg), or null where there is none.</summary>
    public static double? LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.TryParse(first, NumberStyles.Float, CultureInfo.InvariantCulture, out var load) ? load : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>One step's line: what, wall-clock seconds, the server's CPU seconds, the load average at its end.</summary>
    public static string Line(string what, TimeSpan elapsed, double? serverCpu, double? load) =>
        string.Create(CultureInfo.InvariantCulture,
            $"  {what,-58} {elapsed.TotalSeconds,8:F1} s   server CPU {(serverCpu is { } cpu ? $"{cpu,7:F1} s" : "      –  ")}   load {(load is { } l ? $"{l:F1}" : "–")}");
}
