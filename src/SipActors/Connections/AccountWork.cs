using SipActors.Sip.Registration;
using SipActors.Sip.UserAgents;

namespace SipActors.Connections;

/// <summary>The SIP work of an account that takes time, as tasks its actor pipes back as inputs; each bounded by its timeout.</summary>
internal static class AccountWork
{
    /// <summary>Calls the connect's parameter provider; a provider that does not answer within <paramref name="limit"/> fails with a TimeoutException.</summary>
    public static async Task<ConnectionParameters> ResolveAsync(Func<CancellationToken, Task<ConnectionParameters>> provider, TimeSpan limit, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(limit);
        try
        {
            return await provider(timeout.Token).WaitAsync(timeout.Token).ConfigureAwait(false)
                ?? throw new InvalidOperationException("the parameter provider returned null");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"the parameter provider did not answer within {limit.TotalSeconds:0.#} s");
        }
    }

    /// <summary>Opens the user agent's flow; one not up within <paramref name="limit"/> fails with a TimeoutException (CONTRACT.md §5.2).</summary>
    public static async Task ConnectAsync(SipUserAgent ua, TimeSpan limit, CancellationToken token)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(token);
        timeout.CancelAfter(limit);
        try
        {
            await ua.ConnectAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !token.IsCancellationRequested)
        {
            throw new TimeoutException($"{ua.Options.Target} did not connect within {limit.TotalSeconds:0.#} s");
        }
    }

    /// <summary>
    /// Tears an account down: lets its last REGISTER settle, hangs up calls, un-registers when it
    /// was registered (or that REGISTER made a binding), and closes the flow.
    /// </summary>
    public static async Task<RegistrationResult?> TeardownAsync(SipUserAgent? ua, bool registered, RegistrationExchange? registering)
    {
        if (ua is null)
        {
            return null;
        }
        if (registering is not null)
        {
            // The last REGISTER may have made a binding the account has not heard of yet: still in
            // flight (bounded by Timer F), or answered with its result still queued behind this
            // teardown. Un-registering alongside one in flight could race its authenticated retry
            // and leave the binding behind.
            try
            {
                registered |= (await registering.AsTask().ConfigureAwait(false)).Success;
            }
#pragma warning disable CA1031 // its failure is the connect's to report; here only the binding matters
            catch (Exception)
#pragma warning restore CA1031
            {
            }
        }
        // Calls end with their BYE (or CANCEL) before the flow goes, not with a silent loss.
        ua.HangUpCalls();
        RegistrationResult? result = null;
        if (registered)
        {
            result = await ua.UnregisterAsync().ConfigureAwait(false);
        }
        await ua.DisposeAsync().ConfigureAwait(false);
        return result;
    }
}
