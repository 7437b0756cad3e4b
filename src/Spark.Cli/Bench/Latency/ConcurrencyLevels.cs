using System.Globalization;

namespace Spark.Cli.Bench.Latency;

/// <summary>
/// The <c>--concurrency</c> value: one number (<c>4</c>) or a comma-separated list of levels (<c>1,2,4</c>), each
/// run in turn over every transport. Levels keep the order given; the first is the one <c>transports</c> in
/// report.json describes.
/// </summary>
internal static class ConcurrencyLevels
{
    /// <summary>The most conversations one level may run at once.</summary>
    public const int Max = 256;

    /// <summary>Parses <paramref name="value"/>; throws ArgumentException naming the flag, the bad entry and the fix.</summary>
    public static int[] Parse(string? value)
    {
        const string Usage = "give one number or a comma-separated list, e.g. --concurrency 4 or --concurrency 1,2,4";
        if (string.IsNullOrWhiteSpace(value)) throw new ArgumentException($"--concurrency is empty; {Usage}");
        string[] parts = value.Split(',');
        var levels = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
        {
            string part = parts[i].Trim();
            if (part.Length == 0) throw new ArgumentException($"--concurrency '{value}': entry {i + 1} is empty; {Usage}");
            if (!int.TryParse(part, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int level))
                throw new ArgumentException($"--concurrency '{value}': '{part}' is not a whole number; {Usage}");
            if (level is < 1 or > Max) throw new ArgumentException($"--concurrency '{value}': {level} is out of range; each level must be 1-{Max} conversations at once");
            int earlier = Array.IndexOf(levels, level, 0, i);
            if (earlier >= 0) throw new ArgumentException($"--concurrency '{value}': {level} is listed twice (entries {earlier + 1} and {i + 1}); give each level once");
            levels[i] = level;
        }
        return levels;
    }
}
