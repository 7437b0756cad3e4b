using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using Spark.Engine.Templates;

namespace Spark.Cli.Commands;

/// <summary>`spark chat-template`: renders a Jinja chat template with given variables, byte for byte.</summary>
internal static class ChatTemplateCommand
{
    public static Command Create()
    {
        var templateFile = new Option<string>("--template-file") { Description = "The chat template (Jinja).", Required = true };
        var varsFile = new Option<string>("--vars-file") { Description = "A JSON object of variables: messages, tools, add_generation_prompt, bos_token, eos_token, ...", Required = true };
        var now = new Option<string?>("--now") { Description = "The date strftime_now returns, YYYY-MM-DD (default: today)." };
        var command = new Command("chat-template", "Render a chat template with the given variables.") { templateFile, varsFile, now };
        command.SetAction(parse => CliErrors.Run(() =>
        {
            DateTime? date = null;
            if (parse.GetValue(now) is { } text)
            {
                if (!DateTime.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                    throw new ArgumentException($"--now '{text}' is not a date of the form YYYY-MM-DD");
                date = d;
            }
            string varsPath = parse.GetValue(varsFile)!;
            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(File.ReadAllText(varsPath));
            }
            catch (System.Text.Json.JsonException e)
            {
                throw new ArgumentException($"{varsPath}: not valid JSON: {e.Message}");
            }
            var vars = parsed as JsonObject ?? throw new ArgumentException($"{varsPath}: the variables must be a JSON object");
            string templatePath = parse.GetValue(templateFile)!;
            string rendered;
            try
            {
                rendered = ChatTemplate.Parse(File.ReadAllText(templatePath)).Render(vars, new ChatTemplateOptions { Now = date });
            }
            catch (ChatTemplateException e)
            {
                throw new ChatTemplateException($"{templatePath}: {e.Message}", e);
            }
            using var stdout = Console.OpenStandardOutput();
            stdout.Write(new System.Text.UTF8Encoding(false).GetBytes(rendered));
            return CliErrors.Ok;
        }));
        return command;
    }
}
