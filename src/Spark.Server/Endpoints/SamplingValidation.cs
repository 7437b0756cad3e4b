using Spark.Server.Errors;

namespace Spark.Server.Endpoints;

/// <summary>Range checks shared by the Responses and Chat Completions endpoints, each naming its field.</summary>
internal static class SamplingValidation
{
    public static void Check(float? temperature, float? topP, int? maxTokens, string maxTokensName)
    {
        if (temperature is float t && !(t >= 0 && t <= 2))
            throw ApiException.BadRequest($"Invalid 'temperature': {t}. Expected a number from 0 (greedy) to 2.", "temperature", "invalid_value");
        if (topP is float p && !(p > 0 && p <= 1))
            throw ApiException.BadRequest($"Invalid 'top_p': {p}. Expected a number greater than 0 and at most 1.", "top_p", "invalid_value");
        if (maxTokens is int m && m < 1)
            throw ApiException.BadRequest($"Invalid '{maxTokensName}': {m}. Expected an integer of at least 1.", maxTokensName, "invalid_value");
    }
}
