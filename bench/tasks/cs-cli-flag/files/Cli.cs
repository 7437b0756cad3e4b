/// <summary>The tool's command line: sorts the words it is given.</summary>
public static class Cli
{
    /// <summary>Runs the tool with <paramref name="args"/>, writing to <paramref name="output"/>; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter output)
    {
        var words = new List<string>();
        foreach (string arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                output.WriteLine($"error: unknown option {arg}");
                return 2;
            }
            words.Add(arg);
        }
        words.Sort(StringComparer.Ordinal);
        output.WriteLine(string.Join(' ', words));
        return 0;
    }
}
