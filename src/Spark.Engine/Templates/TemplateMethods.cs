namespace Spark.Engine.Templates;

/// <summary>Attribute access and the Python methods templates call on strings, lists and mappings.</summary>
internal static class TemplateMethods
{
    public static object? GetAttribute(object? target, string name)
    {
        switch (target)
        {
            case TemplateObject obj:
                if (obj.Items.TryGetValue(name, out var value)) return value;
                return (object?)MappingMethod(obj, name) ?? Undefined.Value;
            case string s:
                return name == "length" ? (long)s.Length : (object?)StringMethod(s, name) ?? Undefined.Value;
            case List<object?> list:
                return name == "length" ? (long)list.Count : (object?)ListMethod(list, name) ?? Undefined.Value;
            default:
                return Undefined.Value;
        }
    }

    private static TemplateFunction? MappingMethod(TemplateObject obj, string name) => name switch
    {
        "get" => new(name, (a, k) => a.Count == 0 ? throw new ChatTemplateException("get() needs a key")
            : a[0] is string key && obj.Items.TryGetValue(key, out var v) ? v
            : a.Count > 1 ? a[1] : k.Items.TryGetValue("default", out var d) ? d : null),
        "items" => new(name, (_, _) => Items(obj)),
        "keys" => new(name, (_, _) => obj.Items.Keys.Select(k => (object?)k).ToList()),
        "values" => new(name, (_, _) => obj.Items.Values.ToList()),
        _ => null,
    };

    public static List<object?> Items(TemplateObject obj) =>
        obj.Items.Select(pair => (object?)new List<object?> { pair.Key, pair.Value }).ToList();

    private static TemplateFunction? ListMethod(List<object?> list, string name) => name switch
    {
        "append" => new(name, (a, _) => { list.AddRange(a); return null; }),
        "index" => new(name, (a, _) => (long)list.FindIndex(x => TemplateValues.StrictEquals(x, a.ElementAtOrDefault(0)))),
        "count" => new(name, (a, _) => (long)list.Count(x => TemplateValues.StrictEquals(x, a.ElementAtOrDefault(0)))),
        _ => null,
    };

    private static TemplateFunction? StringMethod(string s, string name) => name switch
    {
        "upper" => new(name, (_, _) => s.ToUpperInvariant()),
        "lower" => new(name, (_, _) => s.ToLowerInvariant()),
        "title" => new(name, (_, _) => Title(s)),
        "capitalize" => new(name, (_, _) => Capitalize(s)),
        "strip" => new(name, (a, _) => Strip(s, a, start: true, end: true)),
        "lstrip" => new(name, (a, _) => Strip(s, a, start: true, end: false)),
        "rstrip" => new(name, (a, _) => Strip(s, a, start: false, end: true)),
        "startswith" => new(name, (a, _) => Affix(s, a, name, (x, p) => x.StartsWith(p, StringComparison.Ordinal))),
        "endswith" => new(name, (a, _) => Affix(s, a, name, (x, p) => x.EndsWith(p, StringComparison.Ordinal))),
        "split" => new(name, (a, k) => Split(s, Arg(a, k, 0, "sep"), Arg(a, k, 1, "maxsplit"))),
        "replace" => new(name, (a, k) => Replace(s, a, Arg(a, k, 2, "count"))),
        "find" => new(name, (a, _) => (long)s.IndexOf(Text(a, 0, name), StringComparison.Ordinal)),
        "count" => new(name, (a, _) => (long)CountOf(s, Text(a, 0, name))),
        "join" => new(name, (a, _) => a.ElementAtOrDefault(0) is List<object?> parts
            ? string.Join(s, parts.Select(TemplateValues.ToText)) : throw new ChatTemplateException("join() needs a list")),
        "isdigit" => new(name, (_, _) => s.Length > 0 && s.All(char.IsDigit)),
        "isspace" => new(name, (_, _) => s.Length > 0 && s.All(char.IsWhiteSpace)),
        _ => null,
    };

    private static object? Arg(List<object?> a, KeywordArguments k, int index, string name) =>
        index < a.Count ? a[index] : k.Items.TryGetValue(name, out var v) ? v : null;

    private static string Text(List<object?> a, int index, string method) =>
        a.ElementAtOrDefault(index) as string ?? throw new ChatTemplateException($"{method}() needs a string argument");

    public static string Title(string s)
    {
        var chars = s.ToCharArray();
        bool startOfWord = true;
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsLetter(chars[i]))
            {
                chars[i] = startOfWord ? char.ToUpperInvariant(chars[i]) : char.ToLowerInvariant(chars[i]);
                startOfWord = false;
            }
            else
            {
                startOfWord = !char.IsDigit(chars[i]);
            }
        }
        return new string(chars);
    }

    public static string Capitalize(string s) =>
        s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..].ToLowerInvariant();

    private static string Strip(string s, List<object?> a, bool start, bool end)
    {
        if (a.ElementAtOrDefault(0) is string chars)
            return start && end ? s.Trim(chars.ToCharArray()) : start ? s.TrimStart(chars.ToCharArray()) : s.TrimEnd(chars.ToCharArray());
        return start && end ? s.Trim() : start ? s.TrimStart() : s.TrimEnd();
    }

    private static bool Affix(string s, List<object?> a, string method, Func<string, string, bool> test) => a.ElementAtOrDefault(0) switch
    {
        string p => test(s, p),
        List<object?> options => options.Any(o => o is string p && test(s, p)),
        _ => throw new ChatTemplateException($"{method}() needs a string or a tuple of strings"),
    };

    private static List<object?> Split(string s, object? sep, object? maxsplit)
    {
        long max = maxsplit is long m ? m : -1;
        var result = new List<object?>();
        if (sep is null or Undefined)
        {
            int i = 0;
            while (true)
            {
                while (i < s.Length && char.IsWhiteSpace(s[i])) i++;
                if (i >= s.Length) break;
                if (max >= 0 && result.Count >= max)
                {
                    result.Add(s[i..].TrimEnd());
                    break;
                }
                int startWord = i;
                while (i < s.Length && !char.IsWhiteSpace(s[i])) i++;
                result.Add(s[startWord..i]);
            }
            return result;
        }
        if (sep is not string separator || separator.Length == 0) throw new ChatTemplateException("split() separator must be a non-empty string");
        var parts = max >= 0 ? s.Split(separator, (int)Math.Min(max + 1, int.MaxValue)) : s.Split(separator);
        result.AddRange(parts);
        return result;
    }

    private static string Replace(string s, List<object?> a, object? count)
    {
        if (a.ElementAtOrDefault(0) is not string old || a.ElementAtOrDefault(1) is not string replacement)
            throw new ChatTemplateException("replace() needs two string arguments");
        long limit = count is long c ? c : -1;
        if (limit < 0) return old.Length == 0 ? string.Join(replacement, s.Select(ch => ch.ToString()).Prepend("").Append("")) : s.Replace(old, replacement, StringComparison.Ordinal);
        var sb = new System.Text.StringBuilder();
        int pos = 0;
        for (long n = 0; n < limit; n++)
        {
            int at = s.IndexOf(old, pos, StringComparison.Ordinal);
            if (at < 0 || old.Length == 0) break;
            sb.Append(s, pos, at - pos).Append(replacement);
            pos = at + old.Length;
        }
        return sb.Append(s, pos, s.Length - pos).ToString();
    }

    private static int CountOf(string s, string sub)
    {
        if (sub.Length == 0) return s.Length + 1;
        int n = 0;
        for (int at = s.IndexOf(sub, StringComparison.Ordinal); at >= 0; at = s.IndexOf(sub, at + sub.Length, StringComparison.Ordinal)) n++;
        return n;
    }
}
