namespace Spark.Engine.Templates;

/// <summary>Binary operators, subscripts and slices on template values.</summary>
internal static class TemplateOperators
{
    public static object? Binary(string op, object? left, object? right)
    {
        switch (op)
        {
            case "==": return TemplateValues.LooseEquals(left, right);
            case "!=": return !TemplateValues.LooseEquals(left, right);
            case "in": return Contains(right, left);
            case "not in": return !Contains(right, left);
            case "~": return TemplateValues.ToText(left) + TemplateValues.ToText(right);
        }

        if (left is Undefined || right is Undefined)
            throw new ChatTemplateException($"cannot apply '{op}' to an undefined value");
        if (left is null || right is null)
            throw new ChatTemplateException($"cannot apply '{op}' to none");

        if (TemplateValues.IsNumber(left) && TemplateValues.IsNumber(right))
            return Arithmetic(op, left, right);
        if (op == "+" && left is List<object?> a && right is List<object?> b)
            return new List<object?>([.. a, .. b]);
        if (op == "+" && (left is string || right is string))
            return TemplateValues.ToText(left) + TemplateValues.ToText(right);
        if (op == "*" && left is string repeated && right is long times)
            return string.Concat(Enumerable.Repeat(repeated, (int)Math.Max(0, times)));
        if (op is "<" or ">" or "<=" or ">=")
            return Comparison(op, TemplateValues.Compare(left, right));
        throw new ChatTemplateException(
            $"cannot apply '{op}' to {TemplateValues.TypeName(left)} and {TemplateValues.TypeName(right)}");
    }

    private static object Arithmetic(string op, object? left, object? right)
    {
        bool integers = left is long && right is long;
        double x = TemplateValues.ToDouble(left), y = TemplateValues.ToDouble(right);
        switch (op)
        {
            case "+": return integers ? (object)((long)left! + (long)right!) : x + y;
            case "-": return integers ? (object)((long)left! - (long)right!) : x - y;
            case "*": return integers ? (object)((long)left! * (long)right!) : x * y;
            case "/": return x / y;
            case "//":
                if (y == 0) throw new ChatTemplateException("integer division by zero");
                return integers ? (object)((long)Math.Floor(x / y)) : Math.Floor(x / y);
            case "%":
                if (integers && y == 0) throw new ChatTemplateException("modulo by zero");
                return integers ? (object)((long)left! % (long)right!) : x % y;
            case "**":
                double p = Math.Pow(x, y);
                return integers && y >= 0 ? (object)(long)p : p;
            default:
                return Comparison(op, x.CompareTo(y));
        }
    }

    private static bool Comparison(string op, int order) => op switch
    {
        "<" => order < 0,
        ">" => order > 0,
        "<=" => order <= 0,
        ">=" => order >= 0,
        _ => throw new ChatTemplateException($"unknown operator '{op}'"),
    };

    public static bool Contains(object? container, object? item) => container switch
    {
        Undefined or null => false,
        List<object?> list => list.Exists(x => TemplateValues.StrictEquals(x, item)),
        string s when item is string sub => s.Contains(sub, StringComparison.Ordinal),
        TemplateObject obj when item is string key => obj.Items.ContainsKey(key),
        TemplateObject => false,
        _ => throw new ChatTemplateException(
            $"cannot test whether a {TemplateValues.TypeName(item)} is in a {TemplateValues.TypeName(container)}"),
    };

    public static object? Index(object? target, object? index)
    {
        switch (target)
        {
            case List<object?> list when index is long i:
                if (i < 0) i += list.Count;
                return i >= 0 && i < list.Count ? list[(int)i] : Undefined.Value;
            case string s when index is long i:
                if (i < 0) i += s.Length;
                return i >= 0 && i < s.Length ? s[(int)i].ToString() : Undefined.Value;
            case TemplateObject obj when index is string key:
                return obj.Get(key);
            case List<object?> or string when index is string name:
                return TemplateMethods.GetAttribute(target, name);
            case Undefined or null:
                return Undefined.Value;
            default:
                throw new ChatTemplateException(
                    $"cannot index a {TemplateValues.TypeName(target)} with a {TemplateValues.TypeName(index)}");
        }
    }

    public static object? Slice(object? target, object? start, object? stop, object? step)
    {
        long? Bound(object? v, string what) => v switch
        {
            null or Undefined => null,
            long l => l,
            _ => throw new ChatTemplateException($"slice {what} must be an integer, not a {TemplateValues.TypeName(v)}"),
        };
        long stepValue = Bound(step, "step") ?? 1;
        if (stepValue == 0) throw new ChatTemplateException("slice step cannot be zero");
        switch (target)
        {
            case List<object?> list:
                var indices = SliceIndices(list.Count, Bound(start, "start"), Bound(stop, "stop"), stepValue);
                return indices.Select(i => list[i]).ToList();
            case string s:
                var chars = SliceIndices(s.Length, Bound(start, "start"), Bound(stop, "stop"), stepValue);
                return string.Concat(chars.Select(i => s[i]));
            default:
                throw new ChatTemplateException($"cannot slice a {TemplateValues.TypeName(target)}");
        }
    }

    private static List<int> SliceIndices(int length, long? start, long? stop, long step)
    {
        long Clamp(long v, long low, long high) => Math.Min(Math.Max(v, low), high);
        long Normalize(long? v, long fallback, long low, long high) =>
            v is null ? fallback : Clamp(v.Value < 0 ? v.Value + length : v.Value, low, high);
        var result = new List<int>();
        if (step > 0)
        {
            long from = Normalize(start, 0, 0, length), to = Normalize(stop, length, 0, length);
            for (long i = from; i < to; i += step) result.Add((int)i);
        }
        else
        {
            long from = Normalize(start, length - 1, -1, length - 1), to = Normalize(stop, -1, -1, length - 1);
            for (long i = from; i > to; i += step) result.Add((int)i);
        }
        return result;
    }
}
