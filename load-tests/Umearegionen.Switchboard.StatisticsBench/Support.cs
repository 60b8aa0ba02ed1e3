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
