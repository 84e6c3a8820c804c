using Akka.Actor;
using Akka.Actor.Setup;

namespace SipActors.Hosting.Placement;

/// <summary>
/// Carries an <see cref="ISipActorsPlacement"/> into the actor system's setup, where both the
/// starter of <c>WithSipActors</c> and <see cref="Events.ISipEvents"/> find it (the latter even
/// before the host starts), whatever order the builder extensions were called in.
/// </summary>
internal sealed class SipActorsPlacementSetup(ISipActorsPlacement placement) : Setup
{
    public ISipActorsPlacement Placement { get; } = placement ?? throw new ArgumentNullException(nameof(placement));

    /// <summary>The placement of <paramref name="system"/>, or null when its accounts are local.</summary>
    public static ISipActorsPlacement? Of(ActorSystem system)
    {
        var setup = system.Settings.Setup.Get<SipActorsPlacementSetup>();
        return setup.HasValue ? setup.Value.Placement : null;
    }
}
