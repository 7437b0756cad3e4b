namespace Spark.Agent.Policy;

/// <summary>
/// Programs that run another program given as their arguments (<c>sudo rm …</c>, <c>env X=1 rm …</c>,
/// <c>timeout 5 rm …</c>). Deny rules look through them, so denying <c>rm</c> also stops <c>sudo rm</c>.
/// </summary>
internal static class CommandWrappers
{
    private static readonly HashSet<string> Wrappers = ["sudo", "doas", "env", "nohup", "nice", "ionice", "time", "timeout", "exec", "command", "xargs", "stdbuf", "setsid", "chroot"];

    /// <summary>The argv itself and, if it starts with wrappers, each inner command they would run.</summary>
    public static IEnumerable<IReadOnlyList<string>> Variants(IReadOnlyList<string> argv)
    {
        yield return argv;
        var current = argv;
        for (int guard = 0; guard < 8 && current.Count > 1 && Wrappers.Contains(current[0]); guard++)
        {
            string wrapper = current[0];
            int i = 1;
            while (i < current.Count && (current[i].StartsWith('-') || (wrapper == "env" && current[i].Contains('=', StringComparison.Ordinal))))
            {
                // Options with a separate value ("nice -n 5", "sudo -u bob", "timeout -s KILL").
                if (current[i] is "-n" or "-u" or "-g" or "-s" or "-k" or "-c" or "-C" or "-I" or "-i" or "-o" or "-e" && wrapper != "env") i++;
                i++;
            }
            if (wrapper is "timeout" or "chroot" && i < current.Count) i++; // the duration / the new root
            if (i >= current.Count) yield break;
            current = [.. current.Skip(i)];
            yield return current;
        }
    }
}
