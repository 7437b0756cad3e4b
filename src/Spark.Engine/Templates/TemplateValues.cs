using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Spark.Engine.Templates;

/// <summary>
/// What template values are and how they behave: conversion from JSON, truthiness, printing and equality,
/// following the JavaScript reference renderer (<c>@huggingface/jinja</c>) where it differs from Python.
/// </summary>
/// <remarks>
/// Values are plain CLR objects: <c>null</c> (none), <see cref="Undefined"/>, <see cref="bool"/>, <see cref="long"/>,
/// <see cref="double"/>, <see cref="string"/>, <see cref="List{T}"/> of values, <see cref="TemplateObject"/> and
/// <see cref="TemplateFunction"/>.
/// </remarks>
internal static class TemplateValues
{
    public static object? FromJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                var result = new TemplateObject();
                foreach (var (key, value) in obj) result.Items[key] = FromJson(value);
                return result;
            case JsonArray array:
                var list = new List<object?>(array.Count);
                foreach (var item in array) list.Add(FromJson(item));
                return list;
            default:
                var v = node.AsValue();
                switch (v.GetValueKind())
                {
                    case JsonValueKind.String: return v.GetValue<string>();
                    case JsonValueKind.True: return true;
                    case JsonValueKind.False: return false;
                    case JsonValueKind.Null: return null;
                    case JsonValueKind.Number:
                        if (v.TryGetValue(out long l)) return l;
                        if (v.TryGetValue(out int i)) return (long)i;
                        double d = v.TryGetValue(out double dd) ? dd : double.Parse(v.ToJsonString(), CultureInfo.InvariantCulture);
                        // JavaScript has one number type: an integral value is an integer to the reference renderer.
                        return double.IsInteger(d) && Math.Abs(d) < 9007199254740992d ? (object)(long)d : d;
                    default:
                        throw new ChatTemplateException($"cannot use JSON value '{v.ToJsonString()}' as a template variable");
                }
        }
    }

    public static bool IsTruthy(object? value) => value switch
    {
        null or Undefined => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0 && !double.IsNaN(d),
        string s => s.Length > 0,
        List<object?> list => list.Count > 0,
        TemplateObject obj => obj.Items.Count > 0,
        _ => true,
    };

    public static bool IsNumber(object? value) => value is long or double;

    public static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        bool b => b ? 1 : 0,
        _ => throw new ChatTemplateException($"expected a number but got {TypeName(value)}"),
    };

    /// <summary>The text <c>{{ value }}</c> prints; none and undefined print nothing.</summary>
    public static string ToText(object? value) => value switch
    {
        null or Undefined => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => double.IsInteger(d) && Math.Abs(d) < 1e21 ? d.ToString("F1", CultureInfo.InvariantCulture) : FormatNumber(d),
        List<object?> or TemplateObject => TemplateJson.Serialize(value, null),
        TemplateFunction f => $"<function {f.Name}>",
        _ => value.ToString() ?? "",
    };

    /// <summary>A number as JavaScript's <c>String(number)</c> writes it.</summary>
    public static string FormatNumber(double d)
    {
        if (double.IsNaN(d)) return "NaN";
        if (double.IsInfinity(d)) return d > 0 ? "Infinity" : "-Infinity";
        if (double.IsInteger(d) && Math.Abs(d) < 1e21) return ((decimal)d).ToString(CultureInfo.InvariantCulture);
        double abs = Math.Abs(d);
        if (abs >= 1e-7 && abs < 1e21)
            return d.ToString("R", CultureInfo.InvariantCulture) is var r && r.Contains('E') ? ((decimal)d).ToString(CultureInfo.InvariantCulture) : r;
        string e = d.ToString("R", CultureInfo.InvariantCulture);
        int at = e.IndexOf('E');
        if (at < 0) return e;
        int exponent = int.Parse(e[(at + 1)..], CultureInfo.InvariantCulture);
        return $"{e[..at]}e{(exponent >= 0 ? "+" : "-")}{Math.Abs(exponent)}";
    }

    public static string TypeName(object? value) => value switch
    {
        null => "none",
        Undefined => "undefined",
        bool => "boolean",
        long => "integer",
        double => "float",
        string => "string",
        List<object?> => "list",
        TemplateObject => "mapping",
        TemplateFunction => "function",
        _ => value.GetType().Name,
    };

    /// <summary>Equality as the reference's <c>==</c>: loose between primitives, by identity for lists and mappings.</summary>
    public static bool LooseEquals(object? a, object? b)
    {
        if (a is null or Undefined) return b is null or Undefined;
        if (b is null or Undefined) return false;
        if (a is string sa && b is string sb) return string.Equals(sa, sb, StringComparison.Ordinal);
        if ((a is long or double or bool) && (b is long or double or bool)) return ToDouble(a) == ToDouble(b);
        if (a is string s1 && (b is long or double)) return double.TryParse(s1, CultureInfo.InvariantCulture, out double x) && x == ToDouble(b);
        if (b is string s2 && (a is long or double)) return double.TryParse(s2, CultureInfo.InvariantCulture, out double y) && y == ToDouble(a);
        return ReferenceEquals(a, b);
    }

    /// <summary>Strict equality, as the reference uses for membership (<c>in</c>) and <c>unique</c>.</summary>
    public static bool StrictEquals(object? a, object? b)
    {
        if (a is null) return b is null;
        if (a is Undefined) return b is Undefined;
        if (a is string sa) return b is string sb && string.Equals(sa, sb, StringComparison.Ordinal);
        if (a is bool ba) return b is bool bb && ba == bb;
        if (a is long or double) return b is long or double && ToDouble(a) == ToDouble(b);
        return ReferenceEquals(a, b);
    }

    public static int Compare(object? a, object? b)
    {
        if (IsNumber(a) && IsNumber(b)) return ToDouble(a).CompareTo(ToDouble(b));
        if (a is string sa && b is string sb) return string.CompareOrdinal(sa, sb);
        if (a is bool && b is bool) return ToDouble(a).CompareTo(ToDouble(b));
        throw new ChatTemplateException($"cannot compare {TypeName(a)} with {TypeName(b)}");
    }
}
