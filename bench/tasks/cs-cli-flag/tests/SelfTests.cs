/// <summary>Checks Cli.Run with and without --reverse; exits 1 if any check fails.</summary>
internal static class SelfTests
{
    private static int _failed;

    private static int Main()
    {
        Expect(["pear", "apple", "fig"], 0, "apple fig pear");
        Expect(["--reverse", "pear", "apple", "fig"], 0, "pear fig apple");
        Expect(["pear", "--reverse", "apple", "fig"], 0, "pear fig apple");
        Expect(["b", "a", "c", "--reverse"], 0, "c b a");
        var error = Expect(["--shuffle", "a"], 2, null);
        if (!error.Contains("--shuffle")) Fail($"--shuffle: the error does not name the option: {error}");
        Console.WriteLine(_failed == 0 ? "all self-tests passed" : $"{_failed} self-test(s) failed");
        return _failed == 0 ? 0 : 1;
    }

    private static string Expect(string[] args, int code, string? output)
    {
        var writer = new StringWriter();
        int actual = Cli.Run(args, writer);
        string text = writer.ToString().Trim();
        if (actual != code) Fail($"{string.Join(' ', args)}: exit code {actual}, expected {code}");
        if (output is not null && text != output) Fail($"{string.Join(' ', args)}: printed '{text}', expected '{output}'");
        return text;
    }

    private static void Fail(string message)
    {
        _failed++;
        Console.WriteLine("FAIL " + message);
    }
}
