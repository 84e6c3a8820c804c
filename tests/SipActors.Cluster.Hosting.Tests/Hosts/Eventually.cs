namespace SipActors.Cluster.Hosting.Tests.Hosts;

/// <summary>Polls a condition until it holds or a deadline passes; the failure says what was last seen.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> describe)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"not within {timeout.TotalSeconds:0} s: {describe()}");
            }
            await Task.Delay(100);
        }
    }

    public static Task HoldsAsync(Func<bool> condition, TimeSpan timeout, Func<string> describe)
        => HoldsAsync(() => Task.FromResult(condition()), timeout, describe);
}
