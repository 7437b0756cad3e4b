internal static class Program
{
    private static void Main()
    {
        var total = new Fraction(0, 1);
        foreach (var part in new[] { new Fraction(1, 2), new Fraction(1, 3), new Fraction(1, 6) })
            total += part;
        Console.WriteLine($"1/2 + 1/3 + 1/6 = {total}");
    }
}
