using System.Globalization;
using System.Net;

namespace Spark.Engine.Templates;

/// <summary>The Jinja filters (<c>value | name(args)</c>) chat templates use.</summary>
internal static class TemplateFilters
{
    public static object? Apply(string name, object? value, List<object?> args, KeywordArguments kw)
    {
        object? Arg(int index, string key, object? fallback = null) =>
            index < args.Count ? args[index] : kw.Items.TryGetValue(key, out var v) ? v : fallback;
        object? Keyword(string key) => kw.Items.TryGetValue(key, out var v) ? v : null;

        switch (name)
        {
            case "tojson":
                var separators = Keyword("separators") as List<object?>;
                long? indent = Arg(0, "indent") is long i ? i : null;
                var source = Keyword("sort_keys") is true ? SortKeys(value) : value;
                return TemplateJson.Serialize(source, (int?)indent, separators?.ElementAtOrDefault(0) as string, separators?.ElementAtOrDefault(1) as string);
            case "safe":
                return value;
            case "string":
                return TemplateValues.ToText(value);
            case "length" or "count":
                return value switch
                {
                    string s => (long)s.Length,
                    List<object?> list => (long)list.Count,
                    TemplateObject obj => (long)obj.Items.Count,
                    Undefined => 0L,
                    _ => throw Cannot(name, value),
                };
            case "default" or "d":
                bool boolean = Arg(1, "boolean") is true;
                return value is Undefined || (boolean && !TemplateValues.IsTruthy(value)) ? Arg(0, "default_value", "") : value;
            case "first":
                return value switch
                {
                    List<object?> list => list.Count > 0 ? list[0] : Undefined.Value,
                    string s => s.Length > 0 ? s[..1] : Undefined.Value,
                    _ => throw Cannot(name, value),
                };
            case "last":
                return value switch
                {
                    List<object?> list => list.Count > 0 ? list[^1] : Undefined.Value,
                    string s => s.Length > 0 ? s[^1..] : Undefined.Value,
                    _ => throw Cannot(name, value),
                };
            case "list":
                return ToList(value, name);
            case "reverse":
                return value is string rs ? new string(rs.Reverse().ToArray()) : Enumerable.Reverse(ToList(value, name)).ToList();
            case "unique":
                var unique = new List<object?>();
                foreach (var item in ToList(value, name))
                    if (!unique.Exists(u => TemplateValues.StrictEquals(u, item))) unique.Add(item);
                return unique;
            case "join":
                var attribute = Arg(1, "attribute") as string;
                var parts = ToList(value, name).Select(x => attribute is null ? x : TemplateMethods.GetAttribute(x, attribute));
                return string.Join(Arg(0, "d", "") as string ?? "", parts.Select(TemplateValues.ToText));
            case "trim":
                return Text(value, name).Trim();
            case "upper":
                return Text(value, name).ToUpperInvariant();
            case "lower":
                return Text(value, name).ToLowerInvariant();
            case "title":
                return TemplateMethods.Title(Text(value, name));
            case "capitalize":
                return TemplateMethods.Capitalize(Text(value, name));
            case "replace":
                var replace = (TemplateFunction)TemplateMethods.GetAttribute(Text(value, name), "replace")!;
                return replace.Invoke(args, kw);
            case "indent":
                return Indent(Text(value, name), Arg(0, "width", 4L), Arg(1, "first") is true, Arg(2, "blank") is true);
            case "escape" or "e":
                return WebUtility.HtmlEncode(TemplateValues.ToText(value));
            case "int":
                return ToInteger(value, Arg(0, "default", 0L));
            case "float":
                return ToFloat(value, Arg(0, "default", 0.0));
            case "bool":
                return TemplateValues.IsTruthy(value);
            case "abs":
                return value is long l ? (object)Math.Abs(l) : Math.Abs(TemplateValues.ToDouble(value));
            case "round":
                int digits = (int)(Arg(0, "precision", 0L) as long? ?? 0);
                string method = Arg(1, "method", "common") as string ?? "common";
                double x = TemplateValues.ToDouble(value) * Math.Pow(10, digits);
                x = method == "floor" ? Math.Floor(x) : method == "ceil" ? Math.Ceiling(x) : Math.Round(x, MidpointRounding.AwayFromZero);
                return x / Math.Pow(10, digits);
            case "items":
                return value is TemplateObject io ? TemplateMethods.Items(io) : value is Undefined ? new List<object?>() : throw Cannot(name, value);
            case "dictsort":
                if (value is not TemplateObject dict) throw Cannot(name, value);
                var pairs = TemplateMethods.Items(dict);
                bool byValue = Arg(2, "by", "key") as string == "value";
                return Sort(pairs, Arg(1, "case_sensitive") is true, Arg(3, "reverse") is true, p => ((List<object?>)p!)[byValue ? 1 : 0]);
            case "sort":
                var sortAttribute = Arg(2, "attribute") as string;
                return Sort(ToList(value, name), Arg(1, "case_sensitive") is true, Arg(0, "reverse") is true,
                    x => sortAttribute is null ? x : TemplateMethods.GetAttribute(x, sortAttribute));
            case "max" or "min":
                var candidates = ToList(value, name);
                if (candidates.Count == 0) return Undefined.Value;
                var ordered = Sort(candidates, Arg(0, "case_sensitive") is true, false, x => x);
                return name == "min" ? ordered[0] : ordered[^1];
            case "sum":
                var sumAttribute = Arg(0, "attribute") as string;
                object? total = Arg(1, "start", 0L);
                foreach (var item in ToList(value, name))
                    total = TemplateOperators.Binary("+", total, sumAttribute is null ? item : TemplateMethods.GetAttribute(item, sumAttribute));
                return total;
            case "map":
                return Map(value, args, kw);
            case "select" or "reject":
                return Select(ToList(value, name), name == "select", x => x, args);
            case "selectattr" or "rejectattr":
                if (args.ElementAtOrDefault(0) is not string attr) throw new ChatTemplateException($"{name} needs an attribute name");
                return Select(ToList(value, name), name == "selectattr", x => TemplateMethods.GetAttribute(x, attr), args.Skip(1).ToList());
            default:
                throw new ChatTemplateException($"unsupported filter '{name}'") { IsUnsupported = true };
        }
    }

    private static ChatTemplateException Cannot(string filter, object? value) =>
        new($"cannot apply filter '{filter}' to a {TemplateValues.TypeName(value)}");

    private static string Text(object? value, string filter) => value switch
    {
        string s => s,
        Undefined or null => throw Cannot(filter, value),
        _ => TemplateValues.ToText(value),
    };

    private static List<object?> ToList(object? value, string filter) => value switch
    {
        List<object?> list => list,
        string s => s.Select(c => (object?)c.ToString()).ToList(),
        TemplateObject obj => obj.Items.Keys.Select(k => (object?)k).ToList(),
        Undefined => [],
        _ => throw Cannot(filter, value),
    };

    private static object? SortKeys(object? value) => value switch
    {
        TemplateObject obj => Sorted(obj),
        List<object?> list => list.Select(SortKeys).ToList(),
        _ => value,
    };

    private static TemplateObject Sorted(TemplateObject obj)
    {
        var result = new TemplateObject();
        foreach (var key in obj.Items.Keys.Order(StringComparer.Ordinal)) result.Items[key] = SortKeys(obj.Items[key]);
        return result;
    }

    private static List<object?> Sort(List<object?> items, bool caseSensitive, bool reverse, Func<object?, object?> key)
    {
        object? Key(object? x) => key(x) is string s && !caseSensitive ? s.ToLowerInvariant() : key(x);
        var sorted = items.Order(Comparer<object?>.Create((a, b) => TemplateValues.Compare(Key(a), Key(b)))).ToList();
        if (reverse) sorted.Reverse();
        return sorted;
    }

    private static string Indent(string text, object? width, bool first, bool blank)
    {
        string pad = width switch
        {
            long n => new string(' ', (int)n),
            string s => s,
            _ => throw new ChatTemplateException("indent width must be a number or a string"),
        };
        var lines = text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
            if ((i > 0 || first) && (blank || lines[i].Length > 0)) lines[i] = pad + lines[i];
        return string.Join('\n', lines);
    }

    private static object? ToInteger(object? value, object? fallback) => value switch
    {
        long l => l,
        double d => (long)Math.Truncate(d),
        bool b => b ? 1L : 0L,
        string s when long.TryParse(s.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long parsed) => parsed,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => (long)Math.Truncate(parsed),
        _ => fallback,
    };

    private static object? ToFloat(object? value, object? fallback) => value switch
    {
        long l => (double)l,
        double d => d,
        bool b => b ? 1.0 : 0.0,
        string s when double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) => parsed,
        _ => fallback,
    };

    private static List<object?> Map(object? value, List<object?> args, KeywordArguments kw)
    {
        var items = ToList(value, "map");
        if (kw.Items.TryGetValue("attribute", out var attribute) && attribute is string attr)
        {
            kw.Items.TryGetValue("default", out var fallback);
            return items.Select(x => TemplateMethods.GetAttribute(x, attr) is Undefined && fallback is not null
                ? fallback : TemplateMethods.GetAttribute(x, attr)).ToList();
        }
        if (args.ElementAtOrDefault(0) is string filter)
        {
            var rest = args.Skip(1).ToList();
            return items.Select(x => Apply(filter, x, rest, kw)).ToList();
        }
        throw new ChatTemplateException("map needs a filter name or attribute=");
    }

    private static List<object?> Select(List<object?> items, bool keep, Func<object?, object?> pick, List<object?> testArgs)
    {
        string? test = testArgs.ElementAtOrDefault(0) as string;
        var rest = testArgs.Skip(1).ToList();
        var result = new List<object?>();
        foreach (var item in items)
        {
            var picked = pick(item);
            bool passed = test is null ? TemplateValues.IsTruthy(picked) : TemplateTests.Apply(test, picked, rest);
            if (passed == keep) result.Add(item);
        }
        return result;
    }
}
