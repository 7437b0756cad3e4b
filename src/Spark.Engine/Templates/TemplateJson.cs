using System.Globalization;
using System.Text;

namespace Spark.Engine.Templates;

/// <summary>
/// The <c>tojson</c> filter's output, matching the reference renderer: keys in insertion order, <c>", "</c> and
/// <c>": "</c> separators without indent, one item per line with indent, non-ASCII text written as is.
/// </summary>
internal static class TemplateJson
{
    public static string Serialize(object? value, int? indent, string? itemSeparator = null, string? keySeparator = null)
    {
        var sb = new StringBuilder();
        string pad = indent is > 0 ? new string(' ', indent.Value) : "";
        Write(sb, value, pad, 0, itemSeparator ?? (pad.Length > 0 ? "," : ", "), keySeparator ?? ": ");
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, object? value, string pad, int depth, string itemSep, string keySep)
    {
        switch (value)
        {
            case null or Undefined:
                sb.Append("null");
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(double.IsFinite(d) ? TemplateValues.FormatNumber(d) : "null");
                break;
            case string s:
                WriteString(sb, s);
                break;
            case List<object?> list:
                sb.Append('[');
                for (int i = 0; i < list.Count; i++)
                {
                    if (i > 0) sb.Append(itemSep);
                    NewLine(sb, pad, depth + 1);
                    Write(sb, list[i], pad, depth + 1, itemSep, keySep);
                }
                if (pad.Length > 0 && list.Count == 0) NewLine(sb, pad, depth + 1);
                NewLine(sb, pad, depth);
                sb.Append(']');
                break;
            case TemplateObject obj:
                sb.Append('{');
                int n = 0;
                foreach (var (key, item) in obj.Items)
                {
                    if (n++ > 0) sb.Append(itemSep);
                    NewLine(sb, pad, depth + 1);
                    WriteString(sb, key);
                    sb.Append(keySep);
                    Write(sb, item, pad, depth + 1, itemSep, keySep);
                }
                NewLine(sb, pad, depth);
                sb.Append('}');
                break;
            default:
                throw new ChatTemplateException($"tojson cannot serialise a {TemplateValues.TypeName(value)}");
        }
    }

    private static void NewLine(StringBuilder sb, string pad, int depth)
    {
        if (pad.Length == 0) return;
        sb.Append('\n');
        for (int i = 0; i < depth; i++) sb.Append(pad);
    }

    /// <summary>A JSON string literal as JavaScript's <c>JSON.stringify</c> writes it.</summary>
    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    bool loneSurrogate = char.IsHighSurrogate(c) ? i + 1 >= s.Length || !char.IsLowSurrogate(s[i + 1])
                        : char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(s[i - 1]));
                    if (c < 0x20 || loneSurrogate) sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    else sb.Append(c);
                    break;
            }
        }
        sb.Append('"');
    }
}
