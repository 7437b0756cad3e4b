namespace Spark.Server.Storage;

/// <summary>A parsed <c>--redis-url</c>: <c>redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]</c>, or just <c>HOST[:PORT]</c>.</summary>
internal sealed record RedisUrl(string Host, int Port, int Database, string? User, string? Password)
{
    /// <summary>Host, port and database, for messages (never the password).</summary>
    public string Display => $"{Host}:{Port}/{Database}";

    /// <exception cref="ArgumentException">Not such a URL; the message shows the accepted form.</exception>
    public static RedisUrl Parse(string url)
    {
        string text = url.Trim();
        if (!text.Contains("://", StringComparison.Ordinal)) text = "redis://" + text;
        const string form = "expected redis://[:PASSWORD@]HOST[:PORT][/DB], e.g. redis://127.0.0.1:6379/0";
        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new ArgumentException($"--redis-url is not a URL; {form}");
        if (uri.Scheme is not "redis")
            throw new ArgumentException($"--redis-url scheme '{uri.Scheme}' is not supported (rediss:// TLS is not built in); {form}");
        int database = 0;
        string path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0 && (!int.TryParse(path, out database) || database < 0))
            throw new ArgumentException($"--redis-url database '{path}' is not a number; {form}");
        string? user = null, password = null;
        if (uri.UserInfo.Length > 0)
        {
            int colon = uri.UserInfo.IndexOf(':');
            user = colon < 0 ? null : Uri.UnescapeDataString(uri.UserInfo[..colon]);
            password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            if (user is { Length: 0 }) user = null;
        }
        return new RedisUrl(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port, database, user, password);
    }
}
