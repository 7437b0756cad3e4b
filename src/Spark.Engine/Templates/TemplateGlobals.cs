namespace Spark.Engine.Templates;

/// <summary>The global functions every chat template can call: namespace, range, dict, raise_exception, strftime_now.</summary>
internal static class TemplateGlobals
{
    public static void Install(TemplateScope globals, DateTime now)
    {
        globals.Set("namespace", new TemplateFunction("namespace", (args, keywords) =>
        {
            var ns = new TemplateObject();
            foreach (var arg in args)
            {
                if (arg is not TemplateObject initial) throw new ChatTemplateException("namespace() takes a mapping or keyword arguments");
                foreach (var (k, v) in initial.Items) ns.Items[k] = v;
            }
            foreach (var (k, v) in keywords.Items) ns.Items[k] = v;
            return ns;
        }));
        globals.Set("dict", new TemplateFunction("dict", (_, keywords) =>
        {
            var dict = new TemplateObject();
            foreach (var (k, v) in keywords.Items) dict.Items[k] = v;
            return dict;
        }));
        globals.Set("range", new TemplateFunction("range", (args, _) => Range(args)));
        globals.Set("raise_exception", new TemplateFunction("raise_exception", (args, _) =>
            throw new ChatTemplateException(args.Count > 0 ? TemplateValues.ToText(args[0]) : "raise_exception called")
            { RaisedByTemplate = true }));
        globals.Set("strftime_now", new TemplateFunction("strftime_now", (args, _) =>
            args.ElementAtOrDefault(0) is string format
                ? Strftime.Format(now, format)
                : throw new ChatTemplateException("strftime_now() needs a format string")));
    }

    private static List<object?> Range(List<object?> args)
    {
        long Int(int i) => args[i] as long? ?? throw new ChatTemplateException("range() needs integer arguments");
        long start = 0, stop, step = 1;
        if (args.Count == 1) stop = Int(0);
        else if (args.Count is 2 or 3)
        {
            start = Int(0);
            stop = Int(1);
            if (args.Count == 3) step = Int(2);
        }
        else throw new ChatTemplateException("range() takes 1 to 3 arguments");
        if (step == 0) throw new ChatTemplateException("range() step cannot be zero");
        var result = new List<object?>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) result.Add(i);
        return result;
    }
}
