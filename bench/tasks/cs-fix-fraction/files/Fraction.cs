/// <summary>An exact rational number, always stored in lowest terms with a positive denominator.</summary>
public readonly record struct Fraction
{
    public long Numerator { get; }
    public long Denominator { get; }

    public Fraction(long numerator, long denominator)
    {
        if (denominator == 0) throw new DivideByZeroException("a fraction's denominator cannot be 0");
        long gcd = Gcd(Math.Abs(numerator), Math.Abs(denominator));
        if (denominator < 0) { numerator = -numerator; denominator = -denominator; }
        Numerator = numerator / gcd;
        Denominator = denominator / gcd;
    }

    public static Fraction operator +(Fraction a, Fraction b) =>
        new(a.Numerator * b.Denominator + b.Numerator * a.Denominator, a.Denominator + b.Denominator);

    public static Fraction operator *(Fraction a, Fraction b) =>
        new(a.Numerator * b.Numerator, a.Denominator * b.Denominator);

    public override string ToString() => Denominator == 1 ? $"{Numerator}" : $"{Numerator}/{Denominator}";

    private static long Gcd(long a, long b)
    {
        while (b != 0) (a, b) = (b, a % b);
        return a == 0 ? 1 : a;
    }
}
