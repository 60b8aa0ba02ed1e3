using Umearegionen.Switchboard.Routing;

namespace Umearegionen.Switchboard.UnitTests.Routing;

public sealed class OfferReservationsTests
{
    private static readonly Guid Call1 = Guid.NewGuid(), Call2 = Guid.NewGuid(), Operator1 = Guid.NewGuid(), Operator2 = Guid.NewGuid();

    [Fact]
    public void AReadThatStartsWhileAnOfferIsBeingStoredLeavesItsCallAndOperatorAlone()
    {
        var reservations = new OfferReservations();
        reservations.Reserve([new Assignment(Call1, Operator1)]);

        var underWay = reservations.UnderWay();

        Assert.Equal([Call1], underWay.Calls);
        Assert.Equal([Operator1], underWay.Operators);
    }

    [Fact]
    public void AReadTakenBeforeTheOfferWasStoredKeepsLeavingThemAloneAfterTheRelease()
    {
        var reservations = new OfferReservations();
        var offer = reservations.Reserve([new Assignment(Call1, Operator1), new Assignment(Call2, Operator2)]);
        var before = reservations.UnderWay();

        reservations.Release(offer);

        Assert.Equal(2, before.Calls.Count);
        Assert.Empty(reservations.UnderWay().Calls);
        Assert.Empty(reservations.UnderWay().Operators);
    }

    [Fact]
    public void ReservingACallOrOperatorTwiceIsRefusedAndChangesNothing()
    {
        var reservations = new OfferReservations();
        reservations.Reserve([new Assignment(Call1, Operator1)]);

        Assert.Throws<InvalidOperationException>(() => reservations.Reserve([new Assignment(Call2, Operator2), new Assignment(Call2, Operator1)]));

        Assert.Equal([Call1], reservations.UnderWay().Calls);
        Assert.Equal([Operator1], reservations.UnderWay().Operators);
    }
}
