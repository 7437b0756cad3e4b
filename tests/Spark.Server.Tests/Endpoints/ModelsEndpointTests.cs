namespace Spark.Server.Tests.Endpoints;

[Collection(ServerCollection.Name)]
public class ModelsEndpointTests(ServerFixture server)
{
    [Fact]
    public async Task Models_ListsTheServedModelWithItsContextLength()
    {
        using var response = await server.Http.GetAsync("/v1/models");
        var body = await response.JsonAsync();
        Assert.Equal("list", body.GetProperty("object").GetString());
        var model = Assert.Single(body.GetProperty("data").EnumerateArray());
        Assert.Equal(ServerFixture.ModelId, model.GetProperty("id").GetString());
        Assert.Equal("model", model.GetProperty("object").GetString());
        Assert.Equal(ServerFixture.ContextLength, model.GetProperty("context_length").GetInt32());
    }

    [Fact]
    public async Task Health_NeedsNoKey()
    {
        using var anonymous = server.NewClient(apiKey: null);
        using var response = await anonymous.GetAsync("/health");
        var body = await response.JsonAsync();
        Assert.Equal("ok", body.GetProperty("status").GetString());
        Assert.Equal(ServerFixture.ModelId, body.GetProperty("model").GetString());
    }
}
