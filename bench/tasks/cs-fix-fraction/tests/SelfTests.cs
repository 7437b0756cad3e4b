/// <summary>Run with `dotnet run -p:StartupObject=SelfTests`: prints each failed check and exits 1 if any failed.</summary>
internal static class SelfTests
{
    private static int _failed;

    private static int Main()
    {
        Equal("1/2 + 1/3", "5/6", new Fraction(1, 2) + new Fraction(1, 3));
        Equal("1/2 + 1/2", "1", new Fraction(1, 2) + new Fraction(1, 2));
        Equal("1/4 + -3/4", "-1/2", new Fraction(1, 4) + new Fraction(-3, 4));
        Equal("2/3 * 3/4", "1/2", new Fraction(2, 3) * new Fraction(3, 4));
        Equal("normalised", "-2/3", new Fraction(4, -6));
        Console.WriteLine(_failed == 0 ? "all self-tests passed" : $"{_failed} self-test(s) failed");
        return _failed == 0 ? 0 : 1;
    }

    private static void Equal(string what, string expected, Fraction actual)
    {
        if (actual.ToString() == expected) return;
        _failed++;
        Console.WriteLine($"FAIL {what}: expected {expected}, got {actual}");
    }
}
