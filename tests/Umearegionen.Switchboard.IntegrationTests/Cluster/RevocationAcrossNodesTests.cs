namespace Umearegionen.Switchboard.IntegrationTests.Cluster;

/// <summary>
/// An account disabled on one node ends its sessions on the other at once (docs/decisions/0005). Each
/// node's own check of its connections runs only every half minute here, so what closes the connection
/// within seconds can only be the other node's signal.
/// </summary>
[Collection(ServiceCluster.Collection)]
public sealed class RevocationAcrossNodesTests(RevocationAcrossNodesTests.TwoNodes cluster) : IClassFixture<RevocationAcrossNodesTests.TwoNodes>
{
    public sealed class TwoNodes : ServiceCluster
    {
        protected override IDictionary<string, string> Settings => new Dictionary<string, string>
        {
            ["Access:RevocationCheckInterval"] = "00:00:30",
        };
    }

    private static readonly TimeSpan Soon = TimeSpan.FromSeconds(5);

    [Fact]
    public Task OperatorDisabledOnOneNodeIsCutOffOnTheOtherWithinSeconds() => cluster.TestAsync(async () =>
    {
        var op = await cluster.OperatorAsync(cluster[2]);
        using var asOperator = new HttpRequestMessage(HttpMethod.Get, "api/auth/me");
        asOperator.Headers.Authorization = new AuthenticationHeaderValue("Bearer", op.Token);
        Assert.Equal(HttpStatusCode.OK, (await cluster[2].Http.SendAsync(asOperator)).StatusCode);

        using var disable = new HttpRequestMessage(HttpMethod.Post, $"api/accounts/{op.Id}/disable");
        disable.Headers.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminToken);
        Assert.Equal(HttpStatusCode.NoContent, (await cluster[1].Http.SendAsync(disable)).StatusCode);

        await op.WaitForAsync("closed", Soon);
        using var again = new HttpRequestMessage(HttpMethod.Get, "api/auth/me");
        again.Headers.Authorization = new AuthenticationHeaderValue("Bearer", op.Token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await cluster[2].Http.SendAsync(again)).StatusCode);
    });
}
