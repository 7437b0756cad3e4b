using System.Globalization;
using System.Text;

namespace Spark.Engine.Templates;

/// <summary>C <c>strftime</c> formatting (English names) for the <c>strftime_now</c> template global.</summary>
internal static class Strftime
{
    public static string Format(DateTime time, string format)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        for (int i = 0; i < format.Length; i++)
        {
            char c = format[i];
            if (c != '%' || i + 1 >= format.Length)
            {
                sb.Append(c);
                continue;
            }
            char spec = format[++i];
            bool noPad = spec == '-' && i + 1 < format.Length;
            if (noPad) spec = format[++i];
            string Two(int v) => noPad ? v.ToString(inv) : v.ToString("00", inv);
            sb.Append(spec switch
            {
                'Y' => time.Year.ToString(inv),
                'y' => Two(time.Year % 100),
                'm' => Two(time.Month),
                'd' => Two(time.Day),
                'e' => time.Day.ToString(inv).PadLeft(2),
                'H' => Two(time.Hour),
                'I' => Two(time.Hour % 12 == 0 ? 12 : time.Hour % 12),
                'M' => Two(time.Minute),
                'S' => Two(time.Second),
                'p' => time.Hour < 12 ? "AM" : "PM",
                'b' or 'h' => time.ToString("MMM", inv),
                'B' => time.ToString("MMMM", inv),
                'a' => time.ToString("ddd", inv),
                'A' => time.ToString("dddd", inv),
                'j' => noPad ? time.DayOfYear.ToString(inv) : time.DayOfYear.ToString("000", inv),
                'w' => ((int)time.DayOfWeek).ToString(inv),
                'F' => time.ToString("yyyy-MM-dd", inv),
                'T' => time.ToString("HH:mm:ss", inv),
                'D' => time.ToString("MM/dd/yy", inv),
                '%' => "%",
                _ => throw new ChatTemplateException($"unsupported strftime format '%{spec}'") { IsUnsupported = true },
            });
        }
        return sb.ToString();
    }
}
