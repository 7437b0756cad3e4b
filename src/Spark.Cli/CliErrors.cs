using Spark.Engine.Gguf;

namespace Spark.Cli;

/// <summary>
/// The one place where exceptions become a single `error:` line on stderr and an exit code.
/// </summary>
internal static class CliErrors
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int Cancelled = 130;

    /// <summary>Runs a command body, turning known failures into a clear message and an exit code.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("cancelled");
            return Cancelled;
        }
        catch (Exception e) when (e is Agent.Client.ResponsesApiException or Agent.Loop.AgentException)
        {
            // the model server or the agent failed: the message already says what, where and what to try
            Console.Error.WriteLine($"error: {e.Message}");
            return Failure;
        }
        catch (Exception e) when (IsBadInput(e))
        {
            Console.Error.WriteLine($"error: {MessageOf(e)}");
            return BadInput;
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"error: unexpected {e.GetType().Name}: {e.Message}");
            Console.Error.WriteLine("This is a bug in Spark; please report it with the command you ran.");
            if (Environment.GetEnvironmentVariable("SPARK_DEBUG") == "1") Console.Error.WriteLine(e);
            return Failure;
        }
    }

    /// <summary>The message without .NET's " (Parameter 'x')" suffix, which means nothing to a user.</summary>
    private static string MessageOf(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;

    private static bool IsBadInput(Exception e) => e is GgufFormatException or FileNotFoundException
        or DirectoryNotFoundException or UnauthorizedAccessException or ArgumentException or NotSupportedException
        or InvalidDataException or System.Text.Json.JsonException or IOException
        or Engine.Templates.ChatTemplateException or Engine.Tokenization.TokenizerException;
}
