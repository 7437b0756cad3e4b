using System.CommandLine;
using Spark.Cli.Hosting;
using Spark.Engine.Models.Synthetic;
using Spark.Server.Config;
using Spark.Server.Hosting;

namespace Spark.Cli.Commands;

/// <summary>`spark models [--config FILE]`: what a server would serve — each alias, its backend, where it runs and whether it is up.</summary>
internal static class ModelsCommand
{
    public static Command Create()
    {
        var config = new Option<string?>("--config", "-c") { Description = "The spark.toml to resolve (default: the built-in model that `spark serve` serves without one)." };
        var command = new Command("models", "List the models a spark.toml resolves to: alias -> backend -> target -> health (upstream replicas are probed once).") { config };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            SparkConfig file;
            string? builtIn = null;
            if (parse.GetValue(config) is { } path)
            {
                file = SparkConfigReader.Load(path);
                if (file.Models.Any(m => m is { Upstream: null, Path: null })) builtIn = DefaultModel.PathOnDisk;
            }
            else
            {
                builtIn = DefaultModel.PathOnDisk;
                file = new SparkConfig { Path = "(no config)", Models = [new ModelConfig { Alias = ServedModel.DefaultAlias, Backend = "local" }] };
                Console.Error.WriteLine("no --config: `spark serve` serves the built-in model; write a spark.toml to add models (docs/routing.md).");
            }
            var rows = ConfiguredHost.DescribeAsync(file, builtIn, CancellationToken.None).GetAwaiter().GetResult()
                .Select(r => r.Target == builtIn && !File.Exists(builtIn) ? r with { Target = "built-in model", Health = "ok (created by the first spark serve)" } : r)
                .ToList();
            int aliasWidth = Math.Max(5, rows.Max(r => r.Alias.Length));
            int backendWidth = Math.Max(7, rows.Max(r => r.Backend.Length));
            Console.Out.WriteLine($"{"ALIAS".PadRight(aliasWidth)}  {"BACKEND".PadRight(backendWidth)}  TARGET  HEALTH");
            foreach (var r in rows)
                Console.Out.WriteLine($"{r.Alias.PadRight(aliasWidth)}  {r.Backend.PadRight(backendWidth)}  {r.Target}  {r.Health}");
            // a script can check a deployment: exit 1 when any model is down or missing
            return rows.Any(r => r.Health.StartsWith("down", StringComparison.Ordinal) || r.Health.StartsWith("missing", StringComparison.Ordinal)) ? CliErrors.Failure : CliErrors.Ok;
        }));
        return command;
    }
}
